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

/**
 * Records one tracker event. A page view is a single INSERT that also applies the rate limit
 * (activities_visitor_time_idx) and, for an identified visitor, puts it on the person's
 * timeline; scoring happens later in the background (capture.tracker-scoring).
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
  let path: string | null = null;
  let host: string | null = null;
  try {
    const u = new URL(ev.url);
    path = u.pathname;
    host = u.hostname;
  } catch {
    /* kept as sent */
  }
  const properties = {
    url: ev.url,
    path,
    host,
    title: ev.title ?? null,
    referrer: ev.referrer || null,
    ...utmFromUrl(ev.url),
  };
  const r = await q.query(
    `INSERT INTO activities (workspace_id, person_id, visitor_id, type, properties)
     SELECT $1, (SELECT person_id FROM tracker_visitors WHERE workspace_id = $1 AND visitor_id = $2), $2, 'page_view', $3::jsonb
     WHERE (SELECT count(*) FROM (
             SELECT 1 FROM activities WHERE visitor_id = $2 AND occurred_at > now() - interval '1 minute' AND workspace_id = $1
             LIMIT $4) recent) < $4`,
    [ws, ev.visitorId, JSON.stringify(properties), COLLECT_PER_MINUTE],
  );
  return r.affectedRows > 0 ? 'recorded' : 'rate-limited';
}
