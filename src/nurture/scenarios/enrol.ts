import type { Queryable } from '../../platform/db/client.ts';
import { compileFilter, type Filter } from '../mail/api.ts';
import type { Scenario } from './model.ts';
import { outsideQuietHours } from './time.ts';

export const STEP_QUEUE = 'scenarios.step';

/** The job key of an enrolment's step number `seq`: one job per step taken, ever. */
export const stepJobKey = (enrolmentId: number, seq: number) => `scn:${enrolmentId}:${seq}`;

export interface Candidates {
  /** Extra CTEs placed before `cand` (they may modify data; they see parameters $1–$9 as below). */
  with?: string;
  /** SQL yielding `person_id uuid` of the people to enrol; its own parameters are numbered from $10. */
  sql: string;
  params: unknown[];
}

export interface EnrolOptions {
  source: 'trigger' | 'manual' | 'segment' | 'date';
  eventId?: number | null;
  now: Date;
}

/**
 * Enrols a set of people in one statement: inserts their enrolments (respecting the re-entry
 * rules; at most one active pass per person, enforced by a unique index) and the job of each
 * one's first step, in the caller's transaction. Returns how many people were enrolled.
 * Parameters: $1 workspace, $2 scenario, $3 first step, $4 first run at, $5 source,
 * $6 event, $7 re-entry, $8 re-entry days, $9 now.
 */
export async function enrolPeople(
  q: Queryable,
  workspaceId: number,
  scenario: Scenario,
  candidates: Candidates,
  opts: EnrolOptions,
): Promise<number> {
  const first = scenario.steps[0];
  // Quiet hours are checked again per person (their own time zone) when the step runs.
  const runAt =
    first.type === 'send_email'
      ? outsideQuietHours(opts.now, scenario.quietHours, scenario.timeZone)
      : opts.now;
  const r = await q.query<{ n: number }>(
    `WITH ${candidates.with ? `${candidates.with},` : ''}
     cand AS (SELECT DISTINCT c.person_id FROM (${candidates.sql}) c),
     prev AS (
       SELECT e.person_id, max(e.occurrence) AS occ, bool_or(e.status = 'active') AS active, max(e.finished_at) AS last_finished
       FROM scenario_enrolments e JOIN cand ON cand.person_id = e.person_id
       WHERE e.scenario_id = $2 GROUP BY e.person_id
     ),
     ins AS (
       INSERT INTO scenario_enrolments (workspace_id, scenario_id, person_id, occurrence, current_step, next_step, next_seq,
                                        next_run_at, source, trigger_event_id, entered_at)
       SELECT $1, $2, cand.person_id, coalesce(prev.occ, 0) + 1, $3, $3, 1, $4, $5, $6, $9
       FROM cand
       JOIN people p ON p.id = cand.person_id AND p.workspace_id = $1
       LEFT JOIN prev ON prev.person_id = cand.person_id
       WHERE prev.person_id IS NULL
          OR ($7 = 'after_exit' AND NOT prev.active AND prev.last_finished <= $9::timestamptz - make_interval(days => $8::int))
       ON CONFLICT DO NOTHING
       RETURNING id
     ),
     queued AS (
       INSERT INTO jobs (queue, payload, key, run_at)
       SELECT '${STEP_QUEUE}', jsonb_build_object('enrolmentId', id, 'seq', 1), 'scn:' || id || ':1', $4 FROM ins
       ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING
     )
     SELECT count(*)::int AS n FROM ins`,
    [
      workspaceId,
      scenario.id,
      first.id,
      runAt,
      opts.source,
      opts.eventId ?? null,
      scenario.reentry,
      scenario.reentryDays,
      opts.now,
      ...candidates.params,
    ],
  );
  return r.rows[0].n;
}

/** Enrols one person (a trigger fired for them). */
export function enrolPerson(
  q: Queryable,
  workspaceId: number,
  scenario: Scenario,
  personId: string,
  opts: EnrolOptions,
): Promise<number> {
  return enrolPeople(
    q,
    workspaceId,
    scenario,
    { sql: 'SELECT $10::uuid AS person_id', params: [personId] },
    opts,
  );
}

/**
 * Enrols everyone matching a filter in one statement (set-based: a 10% segment of 100K people
 * is one INSERT…SELECT of enrolments and one of jobs). Used by manual enrolment and the bench.
 */
export function enrolByFilter(
  q: Queryable,
  workspaceId: number,
  scenario: Scenario,
  filter: Filter,
  opts: EnrolOptions,
): Promise<number> {
  const compiled = compileFilter(filter, { workspaceId, now: opts.now, firstParam: 11 });
  return enrolPeople(
    q,
    workspaceId,
    scenario,
    {
      sql: `SELECT p.id AS person_id FROM people p WHERE p.workspace_id = $10 AND (${compiled.sql})`,
      params: [workspaceId, ...compiled.params],
    },
    opts,
  );
}

/**
 * A segment-triggered scenario: who entered the segment since the last evaluation (matching now,
 * not in the snapshot) is enrolled; who left it is dropped from the snapshot so that they can
 * enter again. With `enrol` false (activation without existing members) only the snapshot is taken.
 */
export async function enrolSegmentEntrants(
  q: Queryable,
  workspaceId: number,
  scenario: Scenario,
  filter: Filter,
  opts: EnrolOptions & { enrol: boolean },
): Promise<number> {
  const compiled = compileFilter(filter, { workspaceId, now: opts.now, firstParam: 11 });
  const matching = `matching AS (SELECT p.id FROM people p WHERE p.workspace_id = $10 AND (${compiled.sql})),
     gone AS (
       DELETE FROM scenario_segment_members m WHERE m.scenario_id = $2
         AND NOT EXISTS (SELECT 1 FROM matching WHERE matching.id = m.person_id)
     ),
     entered AS (
       INSERT INTO scenario_segment_members (scenario_id, person_id, workspace_id)
       SELECT $2, id, $1 FROM matching ON CONFLICT DO NOTHING RETURNING person_id
     )`;
  return enrolPeople(
    q,
    workspaceId,
    scenario,
    {
      with: matching,
      sql: opts.enrol ? 'SELECT person_id FROM entered' : 'SELECT person_id FROM entered WHERE false',
      params: [workspaceId, ...compiled.params],
    },
    opts,
  );
}
