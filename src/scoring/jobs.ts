import { z } from 'zod';
import { getEvent } from '../platform/events.ts';
import type { JobHandler } from '../platform/jobs/worker.ts';
import { processRun, rescorePeople } from './rescore.ts';
import { activeRuleSet, RESCORE_QUEUE, startRescore } from './store.ts';

export const REFRESH_QUEUE = 'scoring.refresh';
export const EVENTS_QUEUE = 'scoring.events';
export const DAILY_QUEUE = 'scoring.daily';

const BATCH = 5_000;

const refreshPayload = z.object({ personIds: z.array(z.uuid()).max(1_000_000), workspaceId: z.number().int().optional() });

/** New activities for these people (enqueued by capture after each batch): rescore them now. */
export const refreshScores: JobHandler = async (payload, ctx) => {
  const { personIds, workspaceId = 1 } = refreshPayload.parse(payload);
  for (let i = 0; i < personIds.length; i += BATCH) {
    await rescorePeople(ctx.db, workspaceId, personIds.slice(i, i + BATCH), ctx.clock.now());
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
  const ws = await ctx.db.query<{ workspace_id: number }>('SELECT DISTINCT workspace_id FROM scoring_rule_sets');
  for (const { workspace_id } of ws.rows) {
    await ctx.db.transaction(async (tx) => {
      const set = await activeRuleSet(tx, workspace_id);
      const busy = await tx.query(
        `SELECT 1 FROM scoring_runs WHERE workspace_id = $1 AND status IN ('pending', 'running', 'swapping') LIMIT 1`,
        [workspace_id],
      );
      if (set && busy.rows.length === 0) await startRescore(tx, workspace_id, set.version, 'daily', ctx.clock.now());
    });
  }
};

export const scoringJobs: Record<string, JobHandler> = {
  [REFRESH_QUEUE]: refreshScores,
  [EVENTS_QUEUE]: scoreOnPersonEvent,
  [RESCORE_QUEUE]: runRescore,
  [DAILY_QUEUE]: dailyRescore,
};
