import type { Queryable } from '../platform/db/client.ts';

export const REFRESH_QUEUE = 'scoring.refresh';

/**
 * Marks people whose activities or profile changed for live rescoring, in the caller's
 * transaction: a row per person in `scoring_dirty` (a second mark of the same person costs
 * nothing), and a `scoring.refresh` job unless one is already waiting, unclaimed, to drain them.
 * A mark that slips past a running drain is picked up by the next one, or by the periodic
 * sweep a few seconds later (see scoring/index.ts).
 */
export async function markForRescore(
  q: Queryable,
  workspaceId: number,
  personIds: readonly string[],
): Promise<void> {
  if (personIds.length === 0) return;
  await q.query(
    `WITH marked AS (
       INSERT INTO scoring_dirty (person_id, workspace_id)
       SELECT DISTINCT p, $1::int FROM unnest($2::uuid[]) AS p
       ON CONFLICT (person_id) DO NOTHING
     )
     INSERT INTO jobs (queue, payload)
     SELECT '${REFRESH_QUEUE}', '{}'::jsonb
     WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE queue = '${REFRESH_QUEUE}' AND status = 'pending'
                       AND (locked_until IS NULL OR locked_until < now()))`,
    [workspaceId, personIds],
  );
}
