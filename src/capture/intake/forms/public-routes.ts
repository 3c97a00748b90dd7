import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, AppContext } from '../../../platform/http/context.ts';
import { type Locale, pickLocale, translate } from '../../../platform/i18n.ts';
import { allowAnyOrigin } from '../cors.ts';
import { pickUtm } from '../first-touch.ts';
import { renderEmbedScript } from './embed.ts';
import { formMessages } from './messages.ts';
import type { Form } from './model.ts';
import { renderFormPage, renderNotFound, renderThankYou } from './render.ts';
import { findPublicForm } from './store.ts';
import { checkFillToken, countSpam, issueFillToken, recordSubmission } from './submit.ts';
import { checkSubmission } from './validate.ts';

const params = z.object({ id: z.string().max(100) });

function localeOf(request: FastifyRequest): Locale {
  return pickLocale(request.headers['accept-language']);
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  const type = request.headers['content-type'] ?? '';
  return accept.includes('application/json') || type.includes('application/json');
}

function text(v: unknown, max = 2000): string | null {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() ? s.trim().slice(0, max) : null;
}

function httpUrlOrNull(v: unknown): string | null {
  const s = text(v);
  return s && /^https?:\/\//i.test(s) ? s : null;
}

/** The hosted page, its embed script and the submission endpoint: public, any origin. */
export async function publicFormRoutes(app: App, ctx: AppContext) {
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.get(
    '/f/:id',
    {
      config: { public: true },
      schema: {
        tags: ['forms'],
        summary: 'The hosted form page (HTML, Japanese or English by Accept-Language)',
        params,
      },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const form = await findPublicForm(ctx.db, request.params.id);
      if (!form) return html(reply, 404, renderNotFound(locale));
      const query = request.query as Record<string, unknown>;
      const pageUrl = `${ctx.config.publicUrl}${request.url}`;
      return html(
        reply,
        200,
        renderFormPage(form, locale, {
          token: issueFillToken(ctx.secret, form.id, ctx.clock.now()),
          pageUrl,
          referrer: text(request.headers.referer) ?? '',
          utm: pickUtm(query) as Record<string, string>,
        }),
      );
    },
  );

  app.get(
    '/f/:id/embed.js',
    {
      config: { public: true },
      schema: {
        tags: ['forms'],
        summary: 'Embed script: renders the form where its script tag stands, on any site',
        params,
      },
    },
    async (request, reply) => {
      allowAnyOrigin(reply).type('application/javascript; charset=utf-8').header('cache-control', 'no-store');
      const form = await findPublicForm(ctx.db, request.params.id);
      // A missing form must not break the host page: an empty script, and the status says why.
      if (!form) return reply.code(404).send('/* Leadflow: form not found */\n');
      const token = issueFillToken(ctx.secret, form.id, ctx.clock.now());
      return reply
        .header('vary', 'Accept-Language')
        .send(renderEmbedScript(form, localeOf(request), ctx.config.publicUrl, token));
    },
  );

  app.options('/f/:id', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    allowAnyOrigin(reply).code(204).send(),
  );

  app.post(
    '/f/:id',
    {
      config: { public: true },
      schema: {
        tags: ['forms'],
        summary:
          'Submit a form (urlencoded or JSON, one entry per field key): 303 to the redirect, the thank-you page, or JSON with Accept: application/json',
        params,
      },
    },
    async (request, reply) => {
      allowAnyOrigin(reply);
      const locale = localeOf(request);
      const json = wantsJson(request);
      const form = await findPublicForm(ctx.db, request.params.id);
      if (!form) {
        const detail = translate(formMessages, locale, 'notFound');
        return json ? problem(reply, 404, 'not-found', detail) : html(reply, 404, renderNotFound(locale));
      }
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
        string,
        unknown
      >;
      const now = ctx.clock.now();
      // The embed script asks for refusals as 200 {ok: false}: a 4xx would print an error into
      // the console of the customer's page.
      const status = (code: number) => (text(body._lf_embed) === '1' ? 200 : code);
      // A bot fills the hidden field: it gets the same answer as a person, and nothing is stored.
      if (text(body._lf_hp)) {
        await countSpam(ctx.db, form.id);
        return done(reply, form, locale, json);
      }
      const pageCtx = () => ({
        token: issueFillToken(ctx.secret, form.id, now),
        pageUrl: text(body._lf_page) ?? '',
        referrer: text(body._lf_referrer) ?? '',
        utm: pickUtm(body) as Record<string, string>,
      });
      const fill = checkFillToken(ctx.secret, form, body._lf_ts, now);
      if (!fill.ok) {
        await countSpam(ctx.db, form.id);
        const detail = translate(formMessages, locale, fill.reason);
        if (json)
          return problem(
            reply,
            status(422),
            fill.reason === 'tooFast' ? 'too-fast' : 'expired',
            detail,
            [],
            fill.reason === 'expired' ? pageCtx().token : undefined,
          );
        const keep = fill.reason === 'tooFast' ? { ...pageCtx(), token: String(body._lf_ts) } : pageCtx();
        return html(reply, 422, renderFormPage(form, locale, keep, body, [], detail));
      }
      const checked = checkSubmission(form, body, locale);
      if (checked.errors.length > 0) {
        if (json)
          return problem(
            reply,
            status(422),
            'validation',
            translate(formMessages, locale, 'fix'),
            checked.errors,
          );
        return html(
          reply,
          422,
          renderFormPage(form, locale, { ...pageCtx(), token: String(body._lf_ts) }, body, checked.errors),
        );
      }
      await ctx.db.transaction((tx) =>
        recordSubmission(tx, form, checked.answers, checked.consent, {
          pageUrl: httpUrlOrNull(body._lf_page),
          referrer: httpUrlOrNull(body._lf_referrer),
          utm: pickUtm(body),
          visitorId: text(body._lf_visitor, 64),
          locale,
          nonce: fill.nonce,
        }),
      );
      return done(reply, form, locale, json);
    },
  );
}

function done(reply: FastifyReply, form: Form, locale: Locale, json: boolean) {
  const message = form.thankYouMessage || translate(formMessages, locale, 'thanks');
  if (json) return reply.code(200).send({ ok: true, message, redirectUrl: form.redirectUrl });
  if (form.redirectUrl) return reply.code(303).header('location', form.redirectUrl).send();
  return reply
    .code(200)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderThankYou(form, locale));
}

function problem(
  reply: FastifyReply,
  status: number,
  type: string,
  detail: string,
  errors: { path: string; message: string }[] = [],
  token?: string,
) {
  return reply
    .code(status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(
      JSON.stringify({
        ok: false,
        type: `https://leadflow.dev/problems/${type}`,
        title: status === 404 ? 'Not found' : 'Invalid submission',
        status,
        detail,
        ...(errors.length ? { errors } : {}),
        ...(token ? { token } : {}),
      }),
    );
}
