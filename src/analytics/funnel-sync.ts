import type { Queryable } from '../platform/db/client.ts';

/**
 * Runs a bulk UPDATE of people's breakdown attributes (channel, source, owner, industry,
 * employee count, prefecture) with the per-person funnel sync deferred, then carries the changes
 * to their funnel entries in one statement (migration 0508). Call it inside a transaction: the
 * setting is transaction-local, and outside one the row trigger simply runs as usual.
 */
export async function withFunnelSyncDeferred<T>(
  q: Queryable,
  personIds: readonly string[],
  update: () => Promise<T>,
): Promise<T> {
  if (personIds.length === 0) return update();
  await q.query(`SELECT set_config('leadflow.funnel_sync', 'deferred', true)`);
  const result = await update();
  await q.query(`SELECT analytics_sync_people($1::uuid[]), set_config('leadflow.funnel_sync', '', true)`, [
    personIds,
  ]);
  return result;
}
