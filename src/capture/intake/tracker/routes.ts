import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { App, AppContext } from '../../../platform/http/context.ts';
import { allowAnyOrigin } from '../cors.ts';
import { collectEvent, collectSchema, PageViewBatcher } from './collect.ts';

const TRACKER_SOURCE = readFileSync(
  fileURLToPath(new URL('../../../../tracker/t.js', import.meta.url)),
  'utf8',
);

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The tracker script and its collect endpoint: public, any origin, cheap. */
export async function trackerRoutes(app: App, ctx: AppContext) {
  // Anonymous page views are written in groups (one INSERT per turn of the event loop).
  const pageViews = new PageViewBatcher(ctx.db);
  app.get(
    '/t.js',
    {
      config: { public: true },
      schema: { tags: ['tracker'], summary: 'The tracker script (dependency-free, < 5 KB gzipped)' },
    },
    async (_request, reply) =>
      allowAnyOrigin(reply)
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(TRACKER_SOURCE),
  );

  app.options('/t/collect', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    allowAnyOrigin(reply).code(204).send(),
  );

  app.post(
    '/t/collect',
    {
      config: { public: true },
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['tracker'],
        summary:
          'Tracker events (text/plain or JSON body): page views of an anonymous visitor, identify with a signed token',
        description:
          'Answers 204; 429 when one visitor sends more than 60 events a minute. Never takes an e-mail address.',
      },
    },
    async (request, reply) => {
      allowAnyOrigin(reply);
      const parsed = collectSchema.safeParse(parseBody(request.body));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return reply
          .code(400)
          .header('content-type', 'application/problem+json; charset=utf-8')
          .send(
            JSON.stringify({
              type: 'https://leadflow.dev/problems/validation',
              title: 'Invalid request',
              status: 400,
              detail: `${issue.path.join('.') || 'body'}: ${issue.message}`,
              errors: [{ path: issue.path.join('.') || 'body', message: issue.message }],
            }),
          );
      }
      const ev = parsed.data;
      const now = ctx.clock.now();
      const outcome = ev.token
        ? await ctx.db.transaction((tx) => collectEvent(tx, ctx.secret, ev, now))
        : await pageViews.add(ev);
      if (outcome === 'rate-limited') {
        return reply
          .code(429)
          .header('retry-after', '60')
          .header('content-type', 'application/problem+json; charset=utf-8')
          .send(
            JSON.stringify({
              type: 'https://leadflow.dev/problems/rate-limited',
              title: 'Too many requests',
              status: 429,
              detail: 'Too many events from this visitor; retry in a minute',
            }),
          );
      }
      return reply.code(204).send();
    },
  );
}
