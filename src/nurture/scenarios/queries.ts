import type { Queryable } from '../../platform/db/client.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';

export interface StepStats {
  stepId: string;
  /** People on this step now (waiting at it, or about to take it). */
  current: number;
  /** Times the step was taken. */
  reached: number;
  /** Outcomes: sent, skipped, waited, yes, no, done, queued, exit. */
  outcomes: Record<string, number>;
}

export interface ScenarioStats {
  totals: { active: number; completed: number; goal: number; exited: number; failed: number; total: number };
  steps: StepStats[];
}

/** The numbers of the flow view: people at each step now, how often each step was taken and how it went. */
export async function scenarioStats(
  q: Queryable,
  scenarioId: string,
  stepIds: string[],
): Promise<ScenarioStats> {
  const [totals, current, runs] = await Promise.all([
    q.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM scenario_enrolments WHERE scenario_id = $1 GROUP BY status',
      [scenarioId],
    ),
    // scenario_enrolments_step_idx
    q.query<{ step: string; n: number }>(
      `SELECT current_step AS step, count(*)::int AS n FROM scenario_enrolments WHERE scenario_id = $1 AND status = 'active' GROUP BY current_step`,
      [scenarioId],
    ),
    // scenario_step_runs_scenario_step_idx
    q.query<{ step_id: string; outcome: string; n: number }>(
      `SELECT step_id, outcome, count(*)::int AS n FROM scenario_step_runs WHERE scenario_id = $1 GROUP BY step_id, outcome`,
      [scenarioId],
    ),
  ]);
  const t = { active: 0, completed: 0, goal: 0, exited: 0, failed: 0, total: 0 };
  for (const row of totals.rows) {
    if (row.status in t) t[row.status as keyof typeof t] = row.n;
    t.total += row.n;
  }
  const steps = stepIds.map<StepStats>((stepId) => ({ stepId, current: 0, reached: 0, outcomes: {} }));
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  for (const row of current.rows) {
    const s = byId.get(row.step);
    if (s) s.current = row.n;
  }
  for (const row of runs.rows) {
    const s = byId.get(row.step_id);
    if (!s) continue;
    s.outcomes[row.outcome] = (s.outcomes[row.outcome] ?? 0) + row.n;
    if (!['goal', 'exited', 'failed', 'running'].includes(row.outcome)) s.reached += row.n;
  }
  return { totals: t, steps };
}

export interface EnrolmentView {
  enrolmentId: number;
  scenarioId: string;
  scenarioName: string;
  personId: string;
  personName: string | null;
  email: string;
  occurrence: number;
  status: string;
  source: string;
  currentStep: string | null;
  nextStep: string | null;
  nextRunAt: Date | null;
  exitReason: string | null;
  enteredAt: Date;
  finishedAt: Date | null;
}

interface EnrolmentRow {
  id: number;
  scenario_id: string;
  scenario_name: string;
  person_id: string;
  person_name: string | null;
  email: string;
  occurrence: number;
  status: string;
  source: string;
  current_step: string | null;
  next_step: string | null;
  next_run_at: Date | null;
  exit_reason: string | null;
  entered_at: Date;
  finished_at: Date | null;
}

const ENROLMENT_SELECT = `SELECT e.id, e.scenario_id, s.name AS scenario_name, e.person_id,
    nullif(trim(coalesce(p.last_name, '') || ' ' || coalesce(p.first_name, '')), '') AS person_name, p.email,
    e.occurrence, e.status, e.source, e.current_step, e.next_step, e.next_run_at, e.exit_reason, e.entered_at, e.finished_at
  FROM scenario_enrolments e JOIN scenarios s ON s.id = e.scenario_id JOIN people p ON p.id = e.person_id`;

function toView(r: EnrolmentRow): EnrolmentView {
  return {
    enrolmentId: r.id,
    scenarioId: r.scenario_id,
    scenarioName: r.scenario_name,
    personId: r.person_id,
    personName: r.person_name,
    email: r.email,
    occurrence: r.occurrence,
    status: r.status,
    source: r.source,
    currentStep: r.current_step,
    nextStep: r.next_step,
    nextRunAt: r.next_run_at,
    exitReason: r.exit_reason,
    enteredAt: r.entered_at,
    finishedAt: r.finished_at,
  };
}

/** The people of a scenario, newest pass first, optionally only those at one step or in one status. */
export async function listEnrolments(
  q: Queryable,
  workspaceId: number,
  scenarioId: string,
  opts: { status?: string; step?: string; limit: number; cursor?: string },
) {
  const after = decodeCursor(opts.cursor, 1) as [number] | undefined;
  const r = await q.query<EnrolmentRow>(
    `${ENROLMENT_SELECT}
     WHERE e.workspace_id = $1 AND e.scenario_id = $2 AND ($3::text IS NULL OR e.status = $3)
       AND ($4::text IS NULL OR e.current_step = $4) AND ($5::bigint IS NULL OR e.id < $5)
     ORDER BY e.id DESC LIMIT $6`,
    [workspaceId, scenarioId, opts.status ?? null, opts.step ?? null, after?.[0] ?? null, opts.limit + 1],
  );
  return toPage(r.rows.map(toView), opts.limit, (last) => [last.enrolmentId]);
}

export interface StepRunView {
  seq: number;
  stepId: string;
  stepType: string;
  stepName: string | null;
  outcome: string;
  detail: Record<string, unknown>;
  at: Date;
}

/** A person's history: every pass through every scenario with each step taken, newest pass first. */
export async function personScenarioHistory(
  q: Queryable,
  workspaceId: number,
  personId: string,
): Promise<(EnrolmentView & { steps: StepRunView[] })[]> {
  // scenario_enrolments_person_idx, then the runs of those enrolments.
  const e = await q.query<EnrolmentRow & { steps_doc: { id: string; name?: string }[] }>(
    `${ENROLMENT_SELECT.replace('e.finished_at', 'e.finished_at, s.steps AS steps_doc')}
     WHERE e.workspace_id = $1 AND e.person_id = $2 ORDER BY e.entered_at DESC, e.id DESC LIMIT 100`,
    [workspaceId, personId],
  );
  if (e.rows.length === 0) return [];
  const runs = await q.query<{
    enrolment_id: number;
    seq: number;
    step_id: string;
    step_type: string;
    outcome: string;
    detail: Record<string, unknown>;
    at: Date;
  }>(
    `SELECT enrolment_id, seq, step_id, step_type, outcome, detail, at FROM scenario_step_runs
     WHERE enrolment_id = ANY($1::bigint[]) ORDER BY enrolment_id, seq`,
    [e.rows.map((r) => r.id)],
  );
  return e.rows.map((row) => {
    const names = new Map(row.steps_doc.map((s) => [s.id, s.name ?? null]));
    return {
      ...toView(row),
      steps: runs.rows
        .filter((r) => r.enrolment_id === row.id)
        .map((r) => ({
          seq: r.seq,
          stepId: r.step_id,
          stepType: r.step_type,
          stepName: names.get(r.step_id) ?? null,
          outcome: r.outcome,
          detail: r.detail,
          at: r.at,
        })),
    };
  });
}
