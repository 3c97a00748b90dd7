import type { JobHandler } from '../../../platform/jobs/worker.ts';

export const PRUNE_QUEUE = 'webhooks.prune';
const BATCH = 5000;

/** How long finished deliveries and their attempts are kept. (Default: 30 days; WEBHOOKS_RETENTION_DAYS) */
export function retentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.WEBHOOKS_RETENTION_DAYS);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 30;
}

/**
 * `webhooks.prune` (daily): deletes finished deliveries (and, by cascade, their attempts) older
 * than the retention, in batches so no statement holds locks for long. Pending ones stay.
 */
export const pruneDeliveries: JobHandler = async (_payload, ctx) => {
  const days = retentionDays();
  for (;;) {
    // webhook_deliveries_finished_age_idx
    const r = await ctx.db.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries
         WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)
         LIMIT $2)`,
      [days, BATCH],
    );
    if (r.affectedRows < BATCH) break;
  }
};
