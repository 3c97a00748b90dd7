import { z } from 'zod';
import type { Person } from '../../people/person.ts';
import { getPerson } from '../../people/store.ts';
import type { Queryable } from '../../platform/db/client.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { enqueue, enqueueMany } from '../../platform/jobs/queue.ts';
import type { BatchJobHandler, JobContext, JobHandler } from '../../platform/jobs/worker.ts';
import { systemActor } from '../../team/audit.ts';
import { lockPeopleForSend, personMatches, segmentFilter, sendTemplateMails } from '../mail/api.ts';
import { STEP_QUEUE, stepJobKey } from './enrol.ts';
import type { Scenario, Step } from './model.ts';
import { runStep, type StepResult, sendInput, sendStepResult } from './steps.ts';
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

/** A step an enrolment is due to take: the payload of a step job. */
export interface DueStep {
  enrolmentId: number;
  seq: number;
}

interface Runnable {
  e: EnrolmentRow;
  seq: number;
  scenario: Scenario;
  person: Person;
  step: Step;
  tz: string;
  runId?: number;
}

/**
 * Runs the steps enrolments are due to take, each exactly once, in one transaction: the
 * enrolment rows are locked (in id order), a job's seq must be its enrolment's next one, and
 * the history rows, the steps' effects (the mail they queue, keyed person × scenario × pass ×
 * step × visit) and the moves to the next steps commit together. A job that runs twice, or late
 * after its lease expired, finds the seq taken. Send steps go through the mail module as one
 * batch (a few statements for fifty people instead of a dozen per person); other steps run one
 * by one inside the same transaction.
 *
 * With `skipLocked`, an enrolment locked by another transaction is not waited for; such steps,
 * and those whose person is gone, are returned for the caller to run one by one.
 */
export async function executeSteps(
  ctx: AppContext,
  due: DueStep[],
  opts: { skipLocked?: boolean } = {},
): Promise<DueStep[]> {
  return ctx.db.transaction(async (tx) => {
    const leftOver: DueStep[] = [];
    const ids = [...new Set(due.map((d) => d.enrolmentId))];
    const r = await tx.query<EnrolmentRow>(
      `SELECT id, workspace_id, scenario_id, person_id, occurrence, status, next_step, next_seq
       FROM scenario_enrolments WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE${opts.skipLocked ? ' SKIP LOCKED' : ''}`,
      [ids],
    );
    const rows = new Map(r.rows.map((e) => [Number(e.id), e]));
    if (opts.skipLocked && rows.size < ids.length) {
      const held = await tx.query<{ id: number }>(
        'SELECT id FROM scenario_enrolments WHERE id = ANY($1::bigint[])',
        [ids.filter((id) => !rows.has(id))],
      );
      const busy = new Set(held.rows.map((x) => Number(x.id)));
      leftOver.push(...due.filter((d) => busy.has(d.enrolmentId)));
    }
    const now = ctx.clock.now();
    const scenarios = new Map<string, Scenario>();
    const candidates: { e: EnrolmentRow; seq: number; scenario: Scenario }[] = [];
    const seen = new Set<number>();
    for (const d of due) {
      const e = rows.get(d.enrolmentId);
      if (!e || e.status !== 'active' || e.next_seq !== d.seq || !e.next_step || seen.has(d.enrolmentId))
        continue;
      seen.add(d.enrolmentId);
      let scenario = scenarios.get(e.scenario_id);
      if (!scenario) {
        scenario = await getScenario(tx, e.workspace_id, e.scenario_id);
        scenarios.set(e.scenario_id, scenario);
      }
      // A paused scenario holds everyone where they are; activation schedules them again.
      if (scenario.status === 'paused') continue;
      if (scenario.status !== 'active') await finishEnrolment(tx, e, 'exited', 'scenario_stopped', now);
      else candidates.push({ e, seq: d.seq, scenario });
    }
    // The people, locked FOR SHARE (an unsubscribe waits for the mail this queues), per workspace.
    const people = new Map<number, Map<string, Person>>();
    for (const ws of new Set(candidates.map((c) => c.e.workspace_id)))
      people.set(
        ws,
        await lockPeopleForSend(
          tx,
          ws,
          candidates.filter((c) => c.e.workspace_id === ws).map((c) => c.e.person_id),
        ),
      );
    const runnable: Runnable[] = [];
    for (const { e, seq, scenario } of candidates) {
      const person = people.get(e.workspace_id)?.get(e.person_id);
      if (!person) {
        leftOver.push({ enrolmentId: Number(e.id), seq });
        continue;
      }
      if (await goalReached(tx, e.workspace_id, scenario, person, now)) {
        await finishEnrolment(tx, e, 'goal', 'goal_reached', now);
        continue;
      }
      const step = scenario.steps.find((s) => s.id === e.next_step);
      if (!step) {
        await finishEnrolment(tx, e, 'failed', 'step_removed', now);
        continue;
      }
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
          continue;
        }
      }
      runnable.push({ e, seq, scenario, person, step, tz });
    }
    if (runnable.length === 0) return leftOver;

    const taken = await tx.query<{ id: number; enrolment_id: number }>(
      `INSERT INTO scenario_step_runs (workspace_id, enrolment_id, scenario_id, person_id, seq, step_id, step_type, outcome, at)
       SELECT u.ws, u.enrolment_id, u.scenario_id, u.person_id, u.seq, u.step_id, u.step_type, 'running', $8
       FROM unnest($1::int[], $2::bigint[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::text[])
            AS u(ws, enrolment_id, scenario_id, person_id, seq, step_id, step_type)
       ON CONFLICT (enrolment_id, seq) DO NOTHING RETURNING id, enrolment_id`,
      [
        runnable.map((x) => x.e.workspace_id),
        runnable.map((x) => x.e.id),
        runnable.map((x) => x.scenario.id),
        runnable.map((x) => x.person.id),
        runnable.map((x) => x.seq),
        runnable.map((x) => x.step.id),
        runnable.map((x) => x.step.type),
        now,
      ],
    );
    const runIds = new Map(taken.rows.map((t) => [Number(t.enrolment_id), Number(t.id)]));
    const work = runnable.filter((x) => {
      x.runId = runIds.get(Number(x.e.id));
      return x.runId !== undefined;
    });

    const results = new Map<Runnable, StepResult>();
    const enrolment = (x: Runnable) => ({ id: x.e.id, occurrence: x.e.occurrence, seq: x.seq });
    for (const ws of new Set(work.map((x) => x.e.workspace_id))) {
      const sends = work.filter((x) => x.e.workspace_id === ws && x.step.type === 'send_email');
      const outcomes = await sendTemplateMails(
        tx,
        ctx,
        ws,
        sends.map((x) =>
          sendInput(
            {
              workspaceId: ws,
              scenario: x.scenario,
              person: x.person,
              enrolment: enrolment(x),
              step: x.step,
            },
            x.step as SendStep,
          ),
        ),
        people.get(ws),
      );
      for (const [i, x] of sends.entries()) results.set(x, sendStepResult(x.step as SendStep, outcomes[i]));
    }
    for (const x of work) {
      if (results.has(x)) continue;
      results.set(
        x,
        await runStep({
          tx,
          ctx,
          workspaceId: x.e.workspace_id,
          scenario: x.scenario,
          enrolment: enrolment(x),
          person: x.person,
          step: x.step,
          now,
          tz: x.tz,
          actor: systemActor(`scenario:${x.scenario.name}`, x.e.workspace_id),
        }),
      );
    }
    await recordResults(tx, work, results, now);
    return leftOver;
  });
}

type SendStep = Extract<Step, { type: 'send_email' }>;

/** The history rows' outcomes, the enrolments moved on or completed, and the next steps' jobs: a statement each. */
async function recordResults(tx: Queryable, work: Runnable[], results: Map<Runnable, StepResult>, now: Date) {
  const res = (x: Runnable) => results.get(x) as StepResult;
  await tx.query(
    `UPDATE scenario_step_runs r SET outcome = u.outcome, detail = u.detail::jsonb
     FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, outcome, detail) WHERE r.id = u.id`,
    [
      work.map((x) => x.runId),
      work.map((x) => res(x).outcome),
      work.map((x) => {
        const r = res(x);
        return JSON.stringify(r.resumeAt ? { ...r.detail, until: r.resumeAt } : r.detail);
      }),
    ],
  );
  const ended = work.filter((x) => !res(x).next);
  if (ended.length)
    await tx.query(
      `UPDATE scenario_enrolments e SET status = 'completed', exit_reason = u.reason, finished_at = $5, current_step = u.step,
              next_step = NULL, next_seq = u.seq, next_run_at = NULL
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[]) AS u(id, reason, step, seq) WHERE e.id = u.id`,
      [
        ended.map((x) => x.e.id),
        ended.map((x) => (x.step.type === 'exit' ? 'exit_step' : 'end')),
        ended.map((x) => x.step.id),
        ended.map((x) => x.seq + 1),
        now,
      ],
    );
  const moving = work
    .filter((x) => res(x).next)
    .map((x) => {
      const r = res(x);
      const nextStep = x.scenario.steps.find((s) => s.id === r.next);
      let runAt = r.resumeAt ?? now;
      if (nextStep?.type === 'send_email') runAt = outsideQuietHours(runAt, x.scenario.quietHours, x.tz);
      return { x, next: r.next as string, runAt };
    });
  if (moving.length === 0) return;
  await tx.query(
    `UPDATE scenario_enrolments e SET current_step = u.current, next_step = u.next, next_seq = u.seq, next_run_at = u.run_at
     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::timestamptz[]) AS u(id, current, next, seq, run_at)
     WHERE e.id = u.id`,
    [
      moving.map((m) => m.x.e.id),
      moving.map((m) => (m.x.step.type === 'wait' ? m.x.step.id : m.next)),
      moving.map((m) => m.next),
      moving.map((m) => m.x.seq + 1),
      moving.map((m) => m.runAt),
    ],
  );
  await enqueueMany(
    tx,
    STEP_QUEUE,
    moving.map((m) => ({
      payload: { enrolmentId: m.x.e.id, seq: m.x.seq + 1 },
      key: stepJobKey(m.x.e.id, m.x.seq + 1),
      runAt: m.runAt,
    })),
  );
}

/**
 * Runs the step an enrolment is due to take, exactly once (executeSteps for one step, waiting
 * for the enrolment's lock). After the last retry gives up, the pass ends as failed.
 */
export async function executeStep(
  ctx: AppContext,
  enrolmentId: number,
  seq: number,
  finalAttempt = false,
): Promise<void> {
  try {
    const left = await executeSteps(ctx, [{ enrolmentId, seq }]);
    // Only a missing person leaves a step over when waiting for locks: it is gone (erased).
    if (left.length) throw new Error(`the person of enrolment ${enrolmentId} is missing`);
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

/**
 * The claimed step jobs of a worker together: one executeSteps transaction. Jobs whose
 * enrolment is locked elsewhere, or with a payload that does not parse, run singly.
 */
const stepBatch: BatchJobHandler = async (jobs, ctx) => {
  const parsed = jobs.map((job) => ({ job, due: stepPayload.safeParse(job.payload) }));
  const good = parsed.filter((p) => p.due.success);
  const left = await executeSteps(
    ctx,
    good.map((p) => p.due.data as DueStep),
    { skipLocked: true },
  );
  const again = new Set(left.map((d) => `${d.enrolmentId}:${d.seq}`));
  const single = parsed
    .filter((p) => !p.due.success || again.has(`${p.due.data.enrolmentId}:${p.due.data.seq}`))
    .map((p) => p.job);
  const singleIds = new Set(single.map((j) => j.id));
  return { done: jobs.filter((j) => !singleIds.has(j.id)).map((j) => j.id), single };
};

export const stepJob: JobHandler = Object.assign(
  async (payload: unknown, ctx: JobContext) => {
    const { enrolmentId, seq } = stepPayload.parse(payload);
    await executeStep(ctx, enrolmentId, seq, ctx.job.attempts >= ctx.job.max_attempts);
  },
  { batch: stepBatch },
);

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
