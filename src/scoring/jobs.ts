import { z } from 'zod';
import { getEvent } from '../platform/events.ts';
import type { JobHandler } from '../platform/jobs/worker.ts';
import { REFRESH_QUEUE } from './live.ts';
import { processRun, rescorePeople, rescorePeopleIn } from './rescore.ts';
import { activeRuleSet, RESCORE_QUEUE, startRescore } from './store.ts';

export { REFRESH_QUEUE } from './live.ts';
export const EVENTS_QUEUE = 'scoring.events';
export const DAILY_QUEUE = 'scoring.daily';

const BATCH = 5_000;

const refreshPayload = z.object({
  personIds: z.array(z.uuid()).max(1_000_000).optional(),
  workspaceId: z.number().int().optional(),
});

/**
 * Live scoring: rescores the people marked in `scoring_dirty` (markForRescore), a batch per
 * transaction — the marks are deleted in the same transaction as the new scores are written, so
 * a crash leaves them marked. Two workers draining at once take different people (SKIP LOCKED).
 * An explicit `personIds` payload (older jobs) is rescored first.
 */
export const refreshScores: JobHandler = async (payload, ctx) => {
  const { personIds = [], workspaceId = 1 } = refreshPayload.parse(payload);
  for (let i = 0; i < personIds.length; i += BATCH) {
    await rescorePeople(ctx.db, workspaceId, personIds.slice(i, i + BATCH), ctx.clock.now());
  }
  for (;;) {
    const drained = await ctx.db.transaction(async (tx) => {
      const r = await tx.query<{ workspace_id: number; person_ids: string[] }>(
        `WITH taken AS (
           DELETE FROM scoring_dirty WHERE person_id IN (
             SELECT person_id FROM scoring_dirty ORDER BY marked_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING workspace_id, person_id)
         SELECT workspace_id, array_agg(person_id) AS person_ids FROM taken GROUP BY workspace_id`,
        [BATCH],
      );
      for (const row of r.rows) await rescorePeopleIn(tx, row.workspace_id, row.person_ids, ctx.clock.now());
      return r.rows.reduce((n, row) => n + row.person_ids.length, 0);
    });
    if (drained < BATCH) return;
  }
};

/** A person was created or their profile changed: their fit may have changed. */
export const scoreOnPersonEvent: JobHandler = async (payload, ctx) => {
  const { eventId } = z.object({ eventId: z.number().int() }).parse(payload);
  const event = await getEvent(ctx.db, eventId);
  if (!event?.personId || !['person.created', 'person.updated'].includes(event.type)) return;
  await rescorePeople(ctx.db, event.workspaceId, [event.personId], ctx.clock.now());
};

export const runRescore: JobHandler = async (payload, ctx) => {
  const { runId } = z.object({ runId: z.number().int() }).parse(payload);
  await processRun(ctx.db, ctx.log, runId);
};

/** Once a day everyone is rescored, so that the engagement of leads who went quiet decays. */
export const dailyRescore: JobHandler = async (_payload, ctx) => {
  const ws = await ctx.db.query<{ workspace_id: number }>(
    'SELECT DISTINCT workspace_id FROM scoring_rule_sets',
  );
  for (const { workspace_id } of ws.rows) {
    await ctx.db.transaction(async (tx) => {
      const set = await activeRuleSet(tx, workspace_id);
      const busy = await tx.query(
        `SELECT 1 FROM scoring_runs WHERE workspace_id = $1 AND status IN ('pending', 'running', 'swapping') LIMIT 1`,
        [workspace_id],
      );
      if (set && busy.rows.length === 0)
        await startRescore(tx, workspace_id, set.version, 'daily', ctx.clock.now());
    });
  }
};

export const scoringJobs: Record<string, JobHandler> = {
  [REFRESH_QUEUE]: refreshScores,
  [EVENTS_QUEUE]: scoreOnPersonEvent,
  [RESCORE_QUEUE]: runRescore,
  [DAILY_QUEUE]: dailyRescore,
};
