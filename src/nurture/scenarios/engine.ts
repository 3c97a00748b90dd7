import { z } from 'zod';
import type { Person } from '../../people/person.ts';
import { getPerson } from '../../people/store.ts';
import type { Queryable } from '../../platform/db/client.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import type { JobHandler } from '../../platform/jobs/worker.ts';
import { systemActor } from '../../team/audit.ts';
import { personMatches, segmentFilter } from '../mail/api.ts';
import { STEP_QUEUE, stepJobKey } from './enrol.ts';
import type { Scenario } from './model.ts';
import { runStep } from './steps.ts';
import { getScenario } from './store.ts';
import { outsideQuietHours, personTimeZone } from './time.ts';

interface EnrolmentRow {
  id: number;
  workspace_id: number;
  scenario_id: string;
  person_id: string;
  occurrence: number;
  status: string;
  next_step: string | null;
  next_seq: number;
}

const stepPayload = z.object({ enrolmentId: z.number().int(), seq: z.number().int().min(1) });

/** Whether the scenario's goal is reached: the person is in a goal stage or matches the goal segment. */
export async function goalReached(
  q: Queryable,
  workspaceId: number,
  scenario: Scenario,
  person: Person,
  now: Date,
): Promise<boolean> {
  const goal = scenario.goal;
  if (!goal) return false;
  if (goal.stages?.includes(person.stage)) return true;
  if (goal.segmentId)
    return personMatches(q, workspaceId, await segmentFilter(q, workspaceId, goal.segmentId), person.id, now);
  return false;
}

/** Ends a pass, recording why in the history under the seq that would have run next. */
export async function finishEnrolment(
  q: Queryable,
  e: Pick<EnrolmentRow, 'id' | 'workspace_id' | 'scenario_id' | 'person_id' | 'next_seq' | 'next_step'>,
  status: 'goal' | 'exited' | 'failed',
  reason: string,
  now: Date,
): Promise<void> {
  await q.query(
    `UPDATE scenario_enrolments SET status = $2, exit_reason = $3, finished_at = $4, next_step = NULL, next_run_at = NULL WHERE id = $1`,
    [e.id, status, reason, now],
  );
  await q.query(
    `INSERT INTO scenario_step_runs (workspace_id, enrolment_id, scenario_id, person_id, seq, step_id, step_type, outcome, detail, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (enrolment_id, seq) DO NOTHING`,
    [
      e.workspace_id,
      e.id,
      e.scenario_id,
      e.person_id,
      e.next_seq,
      e.next_step ?? '-',
      status,
      status,
      JSON.stringify({ reason }),
      now,
    ],
  );
}

/**
 * Runs the step an enrolment is due to take, exactly once: the enrolment row is locked, the
 * job's seq must be the enrolment's next one, and the history row, the step's effect (the mail
 * it queues, keyed person × scenario × pass × step × visit) and the move to the next step
 * commit together. A job that runs twice, or late after its lease expired, finds the seq taken.
 */
export async function executeStep(
  ctx: AppContext,
  enrolmentId: number,
  seq: number,
  finalAttempt = false,
): Promise<void> {
  try {
    await ctx.db.transaction(async (tx) => {
      const r = await tx.query<EnrolmentRow>(
        `SELECT id, workspace_id, scenario_id, person_id, occurrence, status, next_step, next_seq
         FROM scenario_enrolments WHERE id = $1 FOR UPDATE`,
        [enrolmentId],
      );
      const e = r.rows[0];
      if (!e || e.status !== 'active' || e.next_seq !== seq || !e.next_step) return;
      const scenario = await getScenario(tx, e.workspace_id, e.scenario_id);
      const now = ctx.clock.now();
      // A paused scenario holds everyone where they are; activation schedules them again.
      if (scenario.status === 'paused') return;
      if (scenario.status !== 'active') return finishEnrolment(tx, e, 'exited', 'scenario_stopped', now);
      const person = await getPerson(tx, e.workspace_id, e.person_id);
      if (await goalReached(tx, e.workspace_id, scenario, person, now))
        return finishEnrolment(tx, e, 'goal', 'goal_reached', now);
      const step = scenario.steps.find((s) => s.id === e.next_step);
      if (!step) return finishEnrolment(tx, e, 'failed', 'step_removed', now);
      const tz = personTimeZone(person, scenario.timeZone);
      if (step.type === 'send_email') {
        // No mail in the quiet hours of the person's own time zone: the same step, later.
        const allowed = outsideQuietHours(now, scenario.quietHours, tz);
        if (allowed > now) {
          await tx.query('UPDATE scenario_enrolments SET next_run_at = $2 WHERE id = $1', [e.id, allowed]);
          await enqueue(
            tx,
            STEP_QUEUE,
            { enrolmentId: e.id, seq },
            { key: `${stepJobKey(e.id, seq)}:q${allowed.getTime()}`, runAt: allowed },
          );
          return;
        }
      }
      const taken = await tx.query(
        `INSERT INTO scenario_step_runs (workspace_id, enrolment_id, scenario_id, person_id, seq, step_id, step_type, outcome, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8) ON CONFLICT (enrolment_id, seq) DO NOTHING RETURNING id`,
        [e.workspace_id, e.id, scenario.id, person.id, seq, step.id, step.type, now],
      );
      if (taken.rows.length === 0) return;
      const result = await runStep({
        tx,
        ctx,
        workspaceId: e.workspace_id,
        scenario,
        enrolment: { id: e.id, occurrence: e.occurrence, seq },
        person,
        step,
        now,
        tz,
        actor: systemActor(`scenario:${scenario.name}`, e.workspace_id),
      });
      await tx.query(`UPDATE scenario_step_runs SET outcome = $2, detail = $3 WHERE id = $1`, [
        (taken.rows[0] as { id: number }).id,
        result.outcome,
        JSON.stringify(result.resumeAt ? { ...result.detail, until: result.resumeAt } : result.detail),
      ]);
      if (!result.next) {
        await tx.query(
          `UPDATE scenario_enrolments SET status = 'completed', exit_reason = $2, finished_at = $3, current_step = $4,
                  next_step = NULL, next_seq = $5, next_run_at = NULL WHERE id = $1`,
          [e.id, step.type === 'exit' ? 'exit_step' : 'end', now, step.id, seq + 1],
        );
        return;
      }
      const nextStep = scenario.steps.find((s) => s.id === result.next);
      let runAt = result.resumeAt ?? now;
      if (nextStep?.type === 'send_email') runAt = outsideQuietHours(runAt, scenario.quietHours, tz);
      await tx.query(
        `UPDATE scenario_enrolments SET current_step = $2, next_step = $3, next_seq = $4, next_run_at = $5 WHERE id = $1`,
        [e.id, step.type === 'wait' ? step.id : result.next, result.next, seq + 1, runAt],
      );
      await enqueue(
        tx,
        STEP_QUEUE,
        { enrolmentId: e.id, seq: seq + 1 },
        { key: stepJobKey(e.id, seq + 1), runAt },
      );
    });
  } catch (err) {
    // The last retry gave up: the pass ends as failed (visible in the history), not silently stuck.
    if (finalAttempt) {
      const message = err instanceof Error ? err.message : String(err);
      await ctx.db.transaction(async (tx) => {
        const r = await tx.query<EnrolmentRow>(
          `SELECT id, workspace_id, scenario_id, person_id, occurrence, status, next_step, next_seq FROM scenario_enrolments
           WHERE id = $1 AND status = 'active' AND next_seq = $2 FOR UPDATE`,
          [enrolmentId, seq],
        );
        if (r.rows[0])
          await finishEnrolment(tx, r.rows[0], 'failed', `error: ${message.slice(0, 300)}`, ctx.clock.now());
      });
    }
    throw err;
  }
}

export const stepJob: JobHandler = async (payload, ctx) => {
  const { enrolmentId, seq } = stepPayload.parse(payload);
  await executeStep(ctx, enrolmentId, seq, ctx.job.attempts >= ctx.job.max_attempts);
};

/**
 * Schedules again everyone held in a scenario (after a pause, or whose job was lost):
 * one job per active enrolment for its next step, keyed by that step so it is never doubled.
 */
export async function rescheduleActive(q: Queryable, scenarioId: string, now: Date): Promise<number> {
  const r = await q.query(
    `INSERT INTO jobs (queue, payload, key, run_at)
     SELECT '${STEP_QUEUE}', jsonb_build_object('enrolmentId', id, 'seq', next_seq),
            'scn:' || id || ':' || next_seq || ':r' || $2::bigint, greatest(coalesce(next_run_at, $3), $3)
     FROM scenario_enrolments WHERE scenario_id = $1 AND status = 'active' AND next_step IS NOT NULL
     ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`,
    [scenarioId, now.getTime(), now],
  );
  return r.affectedRows;
}

/** Ends every active pass of a person whose goal has been reached (called on their events). */
export async function exitOnGoals(ctx: AppContext, workspaceId: number, personId: string): Promise<number> {
  const r = await ctx.db.query<EnrolmentRow>(
    `SELECT e.id, e.workspace_id, e.scenario_id, e.person_id, e.occurrence, e.status, e.next_step, e.next_seq
     FROM scenario_enrolments e JOIN scenarios s ON s.id = e.scenario_id
     WHERE e.person_id = $1 AND e.workspace_id = $2 AND e.status = 'active' AND s.goal IS NOT NULL`,
    [personId, workspaceId],
  );
  let n = 0;
  for (const e of r.rows) {
    n += await ctx.db.transaction(async (tx) => {
      const locked = await tx.query<EnrolmentRow>(
        `SELECT id, workspace_id, scenario_id, person_id, occurrence, status, next_step, next_seq FROM scenario_enrolments
         WHERE id = $1 AND status = 'active' FOR UPDATE`,
        [e.id],
      );
      if (!locked.rows[0]) return 0;
      const scenario = await getScenario(tx, workspaceId, e.scenario_id);
      const person = await getPerson(tx, workspaceId, personId);
      if (!(await goalReached(tx, workspaceId, scenario, person, ctx.clock.now()))) return 0;
      await finishEnrolment(tx, locked.rows[0], 'goal', 'goal_reached', ctx.clock.now());
      return 1;
    });
  }
  return n;
}
