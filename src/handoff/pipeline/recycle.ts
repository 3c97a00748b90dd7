import { changeStage } from '../../lifecycle/transitions.ts';
import type { JobHandler } from '../../platform/jobs/worker.ts';
import { systemActor } from '../../team/audit.ts';
import { getPipelineSettings } from './settings.ts';

export const RECYCLE_QUEUE = 'pipeline.recycle-lost';
const BATCH = 500;

/**
 * Returns people who have been Lost longer than the workspace's `recycleLostAfterDays` to
 * nurturing (Recycled). Idempotent: it only picks people still Lost, and changeStage locks and
 * re-checks each one, so a rerun or a second worker changes nothing twice.
 */
export const recycleLostPeople: JobHandler = async (_payload, ctx) => {
  const workspaces = await ctx.db.query<{ id: number }>('SELECT id FROM workspaces ORDER BY id');
  for (const { id: ws } of workspaces.rows) {
    const { recycleLostAfterDays } = await getPipelineSettings(ctx.db, ws);
    for (;;) {
      // people_stage_idx: (workspace_id, stage).
      const due = await ctx.db.query<{ id: string }>(
        `SELECT id FROM people
         WHERE workspace_id = $1 AND stage = 'lost' AND stage_changed_at <= now() - make_interval(days => $2)
         ORDER BY stage_changed_at, id LIMIT $3`,
        [ws, recycleLostAfterDays, BATCH],
      );
      if (due.rows.length === 0) break;
      await ctx.db.transaction(async (tx) => {
        for (const { id } of due.rows) {
          const still = await tx.query(`SELECT 1 FROM people WHERE id = $1 AND stage = 'lost' FOR UPDATE`, [
            id,
          ]);
          if (still.rows.length === 0) continue;
          await changeStage(tx, systemActor('pipeline', ws), {
            personId: id,
            to: 'recycled',
            mover: 'system',
            actorType: 'system',
            reason: 'lost-timeout',
            meta: { afterDays: recycleLostAfterDays },
          });
        }
      });
      if (due.rows.length < BATCH) break;
    }
  }
};
