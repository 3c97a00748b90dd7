import type { Queryable } from '../platform/db/client.ts';
import { decodeCursor, toPage } from '../platform/http/pagination.ts';

export interface TimelineEntry {
  kind: 'activity' | 'stage';
  id: string;
  at: Date;
  type: string;
  properties: Record<string, unknown>;
  campaignId: string | null;
  campaignName: string | null;
}

/**
 * A person's whole story, newest first: every activity and every stage change.
 * Reads activities_person_time_idx and stage_transitions_person_idx.
 */
export async function personTimeline(
  q: Queryable,
  workspaceId: number,
  personId: string,
  limit: number,
  cursor?: string,
): Promise<{ items: TimelineEntry[]; nextCursor: string | null }> {
  const before = decodeCursor(cursor, 2);
  const r = await q.query<{
    kind: 'activity' | 'stage';
    id: string;
    at: Date;
    /** The exact timestamp for the cursor: a Date keeps milliseconds, PostgreSQL microseconds. */
    at_exact: string;
    type: string;
    properties: Record<string, unknown>;
    campaign_id: string | null;
    campaign_name: string | null;
  }>(
    `SELECT x.*, x.at::text AS at_exact FROM (
       SELECT 'activity' AS kind, 'a' || a.id AS id, a.occurred_at AS at, a.type, a.properties,
              a.campaign_id, c.name AS campaign_name
       FROM activities a LEFT JOIN campaigns c ON c.id = a.campaign_id
       WHERE a.person_id = $2 AND a.workspace_id = $1
       UNION ALL
       SELECT 'stage', 's' || t.id, t.at, 'stage_changed',
              jsonb_build_object('from', t.from_stage, 'to', t.to_stage, 'reason', t.reason,
                                 'actorType', t.actor_type, 'actor', coalesce(u.name, t.actor_id)),
              NULL, NULL
       FROM stage_transitions t LEFT JOIN users u ON t.actor_type = 'user' AND u.id::text = t.actor_id
       WHERE t.person_id = $2 AND t.workspace_id = $1
     ) x
     WHERE ($3::timestamptz IS NULL OR (x.at, x.id) < ($3::timestamptz, $4::text))
     ORDER BY x.at DESC, x.id DESC LIMIT $5`,
    [workspaceId, personId, before?.[0] ?? null, before?.[1] ?? null, limit + 1],
  );
  const page = toPage(r.rows, limit, (last) => [last.at_exact, last.id]);
  return {
    items: page.items.map((row) => ({
      kind: row.kind,
      id: row.id,
      at: row.at,
      type: row.type,
      properties: row.properties,
      campaignId: row.campaign_id,
      campaignName: row.campaign_name,
    })),
    nextCursor: page.nextCursor,
  };
}
