import type { Queryable } from '../platform/db/client.ts';
import { signToken, verifyToken } from '../platform/tokens.ts';
import { markForRescore } from '../scoring/live.ts';

/** A tracker visitor id as t.js makes it: URL-safe, 4 to 64 characters (t.js makes 32 hex digits). */
export const VISITOR_ID_RE = /^[A-Za-z0-9_-]{4,64}$/;

const IDENTIFY_PURPOSE = 'tracker-identify';
/** How long the identity token in a tracked e-mail link identifies its clicker. (Default: 30 days) */
const IDENTIFY_TTL_MS = 30 * 86_400_000;

/**
 * Links an anonymous tracker visitor to a known person: from now on their page views land on
 * the person's timeline, and the anonymous history they already have is moved there
 * (activities_visitor_idx). Called when the visitor submits a form, or arrives from a tracked
 * e-mail link; never from a tracker event alone. Idempotent. Returns how many anonymous
 * activities were merged.
 */
export async function identifyVisitor(
  q: Queryable,
  workspaceId: number,
  visitorId: string,
  personId: string,
): Promise<number> {
  if (!VISITOR_ID_RE.test(visitorId)) return 0;
  await q.query(
    `INSERT INTO tracker_visitors (workspace_id, visitor_id, person_id) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id, visitor_id) DO UPDATE SET person_id = EXCLUDED.person_id, identified_at = now()`,
    [workspaceId, visitorId, personId],
  );
  const merged = await q.query(
    'UPDATE activities SET person_id = $3 WHERE visitor_id = $2 AND person_id IS NULL AND workspace_id = $1',
    [workspaceId, visitorId, personId],
  );
  if (merged.affectedRows > 0) {
    await markForRescore(q, workspaceId, [personId]);
  }
  return merged.affectedRows;
}

/**
 * A token that identifies a person to the tracker on another origin: the e-mail click redirect
 * appends it to the destination URL as `lf_id`, t.js sends it with an `identify` event, and
 * the collect endpoint calls identifyVisitor. Signed, so no one can claim to be someone else.
 */
export function signIdentityToken(
  secret: string,
  workspaceId: number,
  personId: string,
  now = new Date(),
): string {
  return signToken(secret, IDENTIFY_PURPOSE, {
    w: workspaceId,
    p: personId,
    e: now.getTime() + IDENTIFY_TTL_MS,
  });
}

export function verifyIdentityToken(
  secret: string,
  token: string,
  now = new Date(),
): { workspaceId: number; personId: string } | undefined {
  const v = verifyToken<{ w: number; p: string; e: number }>(secret, IDENTIFY_PURPOSE, token);
  if (!v || typeof v.p !== 'string' || typeof v.w !== 'number' || !(v.e > now.getTime())) return undefined;
  return { workspaceId: v.w, personId: v.p };
}

/** The URL parameter that carries the identity token to the tracker. */
export const IDENTITY_PARAM = 'lf_id';

/** Adds the identity token to a destination URL (for the e-mail click redirect). */
export function withIdentityToken(url: string, token: string): string {
  try {
    const u = new URL(url);
    u.searchParams.set(IDENTITY_PARAM, token);
    return u.toString();
  } catch {
    return url;
  }
}
