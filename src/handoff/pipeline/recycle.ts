import { changeStageMany } from '../../lifecycle/bulk.ts';
import type { JobHandler } from '../../platform/jobs/worker.ts';
import { systemActor } from '../../team/audit.ts';
import { getPipelineSettings } from './settings.ts';

export const RECYCLE_QUEUE = 'pipeline.recycle-lost';
const BATCH = 5000;

/**
 * Returns people who have been Lost longer than the workspace's `recycleLostAfterDays` to
 * nurturing (Recycled), a batch of 5,000 per statement and transaction (at 1M people a backlog of
 * tens of thousands moved one changeStage at a time for minutes). Idempotent: changeStageMany
 * locks and re-checks that each is still Lost, so a rerun or a second worker changes nothing twice.
 */
export const recycleLostPeople: JobHandler = async (_payload, ctx) => {
  const workspaces = await ctx.db.query<{ id: number }>('SELECT id FROM workspaces ORDER BY id');
  for (const { id: ws } of workspaces.rows) {
    const { recycleLostAfterDays } = await getPipelineSettings(ctx.db, ws);
    for (;;) {
      // people_stage_aging_idx: (workspace_id, stage).
      const moved = await ctx.db.transaction((tx) =>
        changeStageMany(tx, systemActor('pipeline', ws), {
          candidates: `SELECT id AS person_id, 'lost-timeout' AS reason, jsonb_build_object('afterDays', $9::int) AS meta FROM people
            WHERE workspace_id = $1 AND stage = 'lost' AND stage_changed_at <= now() - make_interval(days => $9::int)
            ORDER BY stage_changed_at, id LIMIT $10`,
          withMeta: true,
          params: [recycleLostAfterDays, BATCH],
          to: 'recycled',
          from: ['lost'],
          mover: 'system',
          actorType: 'system',
          actorId: null,
          at: new Date(),
        }),
      );
      if (moved < BATCH) break;
    }
  }
};
