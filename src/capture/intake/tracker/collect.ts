import { z } from 'zod';
import type { Queryable } from '../../../platform/db/client.ts';
import { identifyVisitor, VISITOR_ID_RE, verifyIdentityToken } from '../../identify.ts';
import { utmFromUrl } from '../first-touch.ts';

/** The workspace tracker events belong to (one workspace for now). */
export const TRACKER_WORKSPACE = 1;
/** Events one visitor may send per minute before the collect endpoint answers 429. */
export const COLLECT_PER_MINUTE = 60;

const clip = (max: number) => z.string().transform((s) => s.slice(0, max));

/** What t.js sends. There is deliberately no e-mail: an event alone never identifies anyone. */
export const collectSchema = z.object({
  type: z.enum(['page_view', 'identify']),
  visitorId: z.string().regex(VISITOR_ID_RE),
  url: clip(2000)
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
    .optional(),
  title: clip(300).nullable().optional(),
  referrer: clip(2000).nullable().optional(),
  /** A signed identity token from a tracked e-mail link (see signIdentityToken). */
  token: z.string().max(500).optional(),
});
export type CollectEvent = z.infer<typeof collectSchema>;

export type CollectOutcome = 'recorded' | 'identified' | 'rate-limited' | 'ignored';

/** What a page view records: the URL, its parts, the title, the referrer and the UTM tags. */
function pageViewProperties(ev: CollectEvent & { url: string }) {
  let path: string | null = null;
  let host: string | null = null;
  try {
    const u = new URL(ev.url);
    path = u.pathname;
    host = u.hostname;
  } catch {
    /* kept as sent */
  }
  return {
    url: ev.url,
    path,
    host,
    title: ev.title ?? null,
    referrer: ev.referrer || null,
    ...utmFromUrl(ev.url),
  };
}

/**
 * Records page views in one statement that also applies the per-visitor rate limit
 * (activities_visitor_time_idx; the views of one visitor within the statement count too) and,
 * for identified visitors, puts them on the person's timeline. Returns, per view, whether it was
 * recorded (false: over the limit).
 */
async function recordPageViews(
  q: Queryable,
  views: { visitorId: string; properties: Record<string, unknown> }[],
): Promise<boolean[]> {
  const r = await q.query<{ ord: number }>(
    `WITH u AS (
       SELECT vid, props, ord, row_number() OVER (PARTITION BY vid ORDER BY ord) AS k
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(vid, props, ord)),
     allowed AS (
       SELECT u.* FROM u
       WHERE (SELECT count(*) FROM (
               SELECT 1 FROM activities WHERE visitor_id = u.vid AND occurred_at > now() - interval '1 minute' AND workspace_id = $1
               LIMIT $4) recent) + u.k <= $4),
     written AS (
       INSERT INTO activities (workspace_id, person_id, visitor_id, type, properties)
       SELECT $1, (SELECT person_id FROM tracker_visitors WHERE workspace_id = $1 AND visitor_id = a.vid), a.vid, 'page_view', a.props::jsonb
       FROM allowed a ORDER BY a.ord)
     SELECT ord::int AS ord FROM allowed`,
    [TRACKER_WORKSPACE, views.map((v) => v.visitorId), views.map((v) => JSON.stringify(v.properties)), COLLECT_PER_MINUTE],
  );
  const recorded = views.map(() => false);
  for (const row of r.rows) recorded[row.ord - 1] = true;
  return recorded;
}

/**
 * Group commit for anonymous page views: the views that arrive while the event loop is busy
 * are written by one INSERT at the next turn (at most `max` at a time), and each request is
 * answered only when that statement has committed — nothing is acknowledged before it is
 * stored. Alone, a view waits for nothing; under load, one round trip and one commit serve
 * many requests instead of one each.
 */
export class PageViewBatcher {
  private queue: {
    visitorId: string;
    properties: Record<string, unknown>;
    done: (outcome: CollectOutcome) => void;
    fail: (err: unknown) => void;
  }[] = [];
  private scheduled = false;

  constructor(
    private readonly q: Queryable,
    private readonly max = 500,
  ) {}

  add(ev: CollectEvent): Promise<CollectOutcome> {
    if (ev.type !== 'page_view' || !ev.url) return Promise.resolve('ignored');
    const properties = pageViewProperties(ev as CollectEvent & { url: string });
    return new Promise((done, fail) => {
      this.queue.push({ visitorId: ev.visitorId, properties, done, fail });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.max);
      recordPageViews(this.q, batch).then(
        (recorded) => {
          batch.forEach((v, i) => v.done(recorded[i] ? 'recorded' : 'rate-limited'));
        },
        (err) => {
          for (const v of batch) v.fail(err);
        },
      );
    }
  }
}

/**
 * Records one tracker event in the caller's transaction: an identify with a signed token, and
 * the page view. Scoring happens later in the background (capture.tracker-scoring).
 */
export async function collectEvent(
  q: Queryable,
  secret: string,
  ev: CollectEvent,
  now: Date,
): Promise<CollectOutcome> {
  const ws = TRACKER_WORKSPACE;
  let identified = false;
  if (ev.token) {
    const who = verifyIdentityToken(secret, ev.token, now);
    if (who && who.workspaceId === ws) {
      const exists = await q.query('SELECT 1 FROM people WHERE workspace_id = $1 AND id = $2', [
        ws,
        who.personId,
      ]);
      if (exists.rows.length > 0) {
        await identifyVisitor(q, ws, ev.visitorId, who.personId);
        identified = true;
      }
    }
  }
  if (ev.type !== 'page_view' || !ev.url) return identified ? 'identified' : 'ignored';
  const recorded = await recordPageViews(q, [
    { visitorId: ev.visitorId, properties: pageViewProperties(ev as CollectEvent & { url: string }) },
  ]);
  return recorded[0] ? 'recorded' : 'rate-limited';
}
