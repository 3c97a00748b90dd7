import { changeStageMany } from '../lifecycle/bulk.ts';
import type { Db, Queryable } from '../platform/db/client.ts';
import { emitEvent } from '../platform/events.ts';
import type { Log } from '../platform/log.ts';
import { systemActor } from '../team/audit.ts';
import { applyScores } from './apply.ts';
import { mqlReason } from './explain.ts';
import type { RuleSet } from './rule-set.ts';
import { compileScoringQuery, Params } from './sql.ts';
import { activeRuleSet, ruleSetVersion } from './store.ts';

/** Stages from which a lead qualifies automatically when the MQL condition holds. */
export const QUALIFYING_STAGES = ['inquiry', 'recycled'] as const;

/** People staged per transaction of a full rescore. (Default: 50000) */
export const RESCORE_CHUNK = 50_000;

/** Lanes (ranges of ids) of a full rescore staged side by side, one connection each. (Default: 2) */
export const RESCORE_LANES = Math.max(1, Number(process.env.RESCORE_LANES ?? 2) || 2);

/** The lower bounds of `n` equal ranges of the uuid space. */
export function laneBounds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const head = Math.floor((i * 0x1_0000_0000) / n)
      .toString(16)
      .padStart(8, '0');
    return `${head}-0000-0000-0000-000000000000`;
  });
}

interface LaneRow {
  lane: number;
  lo: string;
  hi: string | null;
  cursor: string | null;
  done: boolean;
}

const ruleActor = (version: number, workspaceId: number) => systemActor(`scoring v${version}`, workspaceId);

export interface LiveResult {
  scored: number;
  changed: number;
  /** How many became MQL. */
  qualified: number;
}

/**
 * Rescores a few people now with the active rule set (after new activities or a profile
 * change) and qualifies those who meet the MQL condition. One set-based query for the batch.
 */
export async function rescorePeople(
  db: Db,
  workspaceId: number,
  personIds: string[],
  now: Date,
): Promise<LiveResult> {
  if (personIds.length === 0) return { scored: 0, changed: 0, qualified: 0 };
  return db.transaction((tx) => rescorePeopleIn(tx, workspaceId, personIds, now));
}

/** rescorePeople in the caller's transaction. */
export async function rescorePeopleIn(
  tx: Queryable,
  workspaceId: number,
  personIds: string[],
  now: Date,
): Promise<LiveResult> {
  const ids = [...new Set(personIds)];
  if (ids.length === 0) return { scored: 0, changed: 0, qualified: 0 };
  const set = await activeRuleSet(tx, workspaceId);
  if (!set) return { scored: 0, changed: 0, qualified: 0 };
  const rows = await scoreNow(tx, set, workspaceId, ids, now);
  const { changed } = await applyScores(tx, workspaceId, set.version, 'live', {
    sql: `SELECT * FROM unnest($4::uuid[], $5::int[], $6::text[], $7::int[], $8::boolean[], $9::jsonb[])
            AS s(person_id, fit_score, fit_grade, engagement_score, mql, contributions)
          CROSS JOIN (SELECT $10::timestamptz AS computed_at) t`,
    params: [
      rows.map((r) => r.person_id),
      rows.map((r) => r.fit_score),
      rows.map((r) => r.fit_grade),
      rows.map((r) => r.engagement_score),
      rows.map((r) => r.mql),
      rows.map((r) => JSON.stringify(r.contributions)),
      now,
    ],
  });
  const qualified = await qualifyMany(tx, set, workspaceId, rows, now);
  return { scored: rows.length, changed, qualified };
}

interface ScoredRow {
  person_id: string;
  fit_score: number;
  fit_grade: 'A' | 'B' | 'C' | 'D';
  engagement_score: number;
  mql: boolean;
  contributions: { ruleId: string; points: number; count: number }[];
}

/** Scores the given people as of `asOf` without writing anything. */
export async function scoreNow(
  q: Queryable,
  set: RuleSet,
  workspaceId: number,
  ids: string[],
  asOf: Date,
): Promise<ScoredRow[]> {
  const params = new Params([workspaceId]);
  const subjects = `SELECT id AS person_id, ${params.add(asOf, 'timestamptz')} AS as_of FROM people
                    WHERE workspace_id = $1 AND id = ANY(${params.add(ids, 'uuid[]')})`;
  const sql = compileScoringQuery(set, subjects, params);
  return (await q.query<ScoredRow>(sql, params.values)).rows;
}

/**
 * Qualifies, in one statement, the scored people who meet the MQL condition and wait in a
 * qualifying stage: each move through the transition table with its plain-language reason, the
 * scores behind it, its audit entry and its `person.stage_changed` event. Returns how many moved.
 */
async function qualifyMany(
  q: Queryable,
  set: RuleSet,
  workspaceId: number,
  rows: ScoredRow[],
  at: Date,
): Promise<number> {
  const candidates = rows.filter((r) => r.mql);
  if (candidates.length === 0) return 0;
  return changeStageMany(q, ruleActor(set.version, workspaceId), {
    candidates: 'SELECT * FROM unnest($9::uuid[], $10::text[], $11::jsonb[]) AS u(person_id, reason, meta)',
    params: [
      candidates.map((r) => r.person_id),
      candidates.map((r) => mqlReason(set, r.fit_grade, r.fit_score, r.engagement_score, r.contributions)),
      candidates.map((r) =>
        JSON.stringify({
          ruleSetVersion: set.version,
          fitGrade: r.fit_grade,
          fitScore: r.fit_score,
          engagementScore: r.engagement_score,
        }),
      ),
    ],
    withMeta: true,
    to: 'mql',
    from: QUALIFYING_STAGES,
    mover: 'system',
    actorType: 'rule',
    actorId: `v${set.version}`,
    at,
  });
}

export interface RunStatus {
  runId: number;
  version: number;
  reason: string;
  status: 'pending' | 'running' | 'swapping' | 'done' | 'failed' | 'superseded';
  asOf: Date;
  total: number | null;
  processed: number;
  changed: number | null;
  promoted: number | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface RunRow {
  id: number;
  workspace_id: number;
  version: number;
  reason: string;
  status: RunStatus['status'];
  as_of: Date;
  total: number | null;
  processed: number;
  changed: number | null;
  promoted: number | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const toStatus = (r: RunRow): RunStatus => ({
  runId: r.id,
  version: r.version,
  reason: r.reason,
  status: r.status,
  asOf: r.as_of,
  total: r.total,
  processed: r.processed,
  changed: r.changed,
  promoted: r.promoted,
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export async function latestRun(q: Queryable, workspaceId: number): Promise<RunStatus | undefined> {
  const r = await q.query<RunRow>(
    'SELECT * FROM scoring_runs WHERE workspace_id = $1 ORDER BY id DESC LIMIT 1',
    [workspaceId],
  );
  return r.rows[0] ? toStatus(r.rows[0]) : undefined;
}

export async function getRun(q: Queryable, runId: number): Promise<RunStatus | undefined> {
  const r = await q.query<RunRow>('SELECT * FROM scoring_runs WHERE id = $1', [runId]);
  return r.rows[0] ? toStatus(r.rows[0]) : undefined;
}

/**
 * Carries a full rescore run to its end: stages chunks of people lane by lane, the lanes side
 * by side (each chunk and its lane's cursor in one transaction, so a crash resumes every lane
 * after its last committed chunk), then swaps every staged score in at once. A run overtaken by
 * a newer version stops as superseded; nothing of it becomes visible.
 */
export async function processRun(
  db: Db,
  log: Log,
  runId: number,
  chunk = RESCORE_CHUNK,
  lanes = RESCORE_LANES,
): Promise<RunStatus | undefined> {
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const r = await tx.query<RunRow>('SELECT * FROM scoring_runs WHERE id = $1 FOR UPDATE', [runId]);
      const run = r.rows[0];
      if (!run || ['done', 'failed', 'superseded'].includes(run.status)) return null;
      const newer = await tx.query(
        `SELECT 1 FROM scoring_runs WHERE workspace_id = $1 AND id > $2 AND version > $3 AND status <> 'failed' LIMIT 1`,
        [run.workspace_id, run.id, run.version],
      );
      if (newer.rows.length > 0) {
        await tx.query(`UPDATE scoring_runs SET status = 'superseded', finished_at = now() WHERE id = $1`, [
          runId,
        ]);
        await tx.query('DELETE FROM scoring_staged_scores WHERE run_id = $1', [runId]);
        return null;
      }
      if (run.status === 'pending') {
        const n = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM people WHERE workspace_id = $1',
          [run.workspace_id],
        );
        await tx.query(
          `UPDATE scoring_runs SET status = 'running', started_at = now(), total = $2 WHERE id = $1`,
          [runId, n.rows[0].n],
        );
      }
      // The lanes, made once (a run started before lanes existed gets them too: staging again
      // what it staged is harmless, the staged rows are unique per person).
      const bounds = laneBounds(lanes);
      await tx.query(
        `INSERT INTO scoring_run_lanes (run_id, workspace_id, lane, lo, hi)
         SELECT $1, $3, i - 1, lo, lead(lo) OVER (ORDER BY i) FROM unnest($2::uuid[]) WITH ORDINALITY AS u(lo, i)
         ON CONFLICT DO NOTHING`,
        [runId, bounds, run.workspace_id],
      );
      const set = await ruleSetVersion(tx, run.workspace_id, run.version);
      const open = await tx.query<LaneRow>(
        'SELECT lane, lo, hi, cursor, done FROM scoring_run_lanes WHERE run_id = $1 AND NOT done ORDER BY lane',
        [runId],
      );
      if (open.rows.length > 0) return { run, set, lanes: open.rows };
      await swapRun(tx, set, run);
      return null;
    });
    if (!step) break;
    // One chunk per open lane, side by side; each locks its lane, so a second worker on the same
    // run waits instead of staging the same chunk.
    await Promise.all(
      step.lanes.map(({ lane }) =>
        db.transaction(async (tx) => {
          const l = await tx.query<LaneRow>(
            'SELECT lane, lo, hi, cursor, done FROM scoring_run_lanes WHERE run_id = $1 AND lane = $2 FOR UPDATE',
            [runId, lane],
          );
          const current = l.rows[0];
          if (!current || current.done) return;
          const staged = await stageChunk(tx, step.set, step.run, chunk, current);
          if (staged.count > 0) {
            await tx.query('UPDATE scoring_run_lanes SET cursor = $3 WHERE run_id = $1 AND lane = $2', [
              runId,
              lane,
              staged.last,
            ]);
            await tx.query('UPDATE scoring_runs SET processed = processed + $2 WHERE id = $1', [
              runId,
              staged.count,
            ]);
          } else {
            await tx.query('UPDATE scoring_run_lanes SET done = true WHERE run_id = $1 AND lane = $2', [
              runId,
              lane,
            ]);
          }
        }),
      ),
    );
  }
  const status = await getRun(db, runId);
  log.info(
    { runId, status: status?.status, changed: status?.changed, promoted: status?.promoted },
    'scoring run finished',
  );
  if (status?.status === 'done') await vacuumAfterRun(db, log, runId);
  return status;
}

/**
 * A full run leaves a dead row behind for every staged score (inserted, then deleted) and for
 * every rewritten explanation and changed person: a million of each at 1M people. Vacuumed right
 * away, the next run stages into a table of free pages and reads people and person_scores without
 * stepping over the old versions. On a server without autovacuum (the bench's, as installed
 * here) the dead rows piled up: after four runs at 1M people, 1M in people and 2.6M in
 * person_scores, and staging took 1:27–1:42 per run against 1:02 on a vacuumed copy. The run is
 * done either way: a failed vacuum is logged.
 */
async function vacuumAfterRun(db: Db, log: Log, runId: number): Promise<void> {
  try {
    await db.query('VACUUM (ANALYZE) scoring_staged_scores, person_scores, people');
  } catch (err) {
    log.warn(
      { runId, err: err instanceof Error ? err.message : String(err) },
      'vacuum after the scoring run failed',
    );
  }
}

async function stageChunk(
  q: Queryable,
  set: RuleSet,
  run: RunRow,
  chunk: number,
  lane: LaneRow,
): Promise<{ count: number; last: string | null }> {
  // people_pkey: the chunk is the lane's next `chunk` ids after its cursor.
  const bounds = await q.query<{ last: string | null; n: number }>(
    `SELECT max(id::text)::uuid AS last, count(*)::int AS n FROM (
       SELECT id FROM people WHERE workspace_id = $1 AND id >= $2::uuid AND ($3::uuid IS NULL OR id < $3::uuid)
         AND ($4::uuid IS NULL OR id > $4::uuid) ORDER BY id LIMIT $5) c`,
    [run.workspace_id, lane.lo, lane.hi, lane.cursor, chunk],
  );
  const { last, n } = bounds.rows[0];
  if (n === 0 || !last) return { count: 0, last: null };
  // Large sorts and hashes of a chunk stay in memory instead of spilling to disk.
  await q.query(`SET LOCAL work_mem = '128MB'`);
  const params = new Params([run.workspace_id]);
  const lo = params.add(lane.lo, 'uuid');
  const after = params.add(lane.cursor, 'uuid');
  const upTo = params.add(last, 'uuid');
  const inChunk = (col: string) =>
    `${col} >= ${lo} AND (${after} IS NULL OR ${col} > ${after}) AND ${col} <= ${upTo}`;
  const subjects = { where: inChunk('p.id'), asOf: params.add(run.as_of, 'timestamptz') };
  const scoring = compileScoringQuery(set, subjects, params, { activityScope: inChunk('a.person_id') });
  await q.query(
    `INSERT INTO scoring_staged_scores (workspace_id, run_id, person_id, fit_score, fit_grade, engagement_score, mql, contributions, computed_at)
     SELECT $1, ${params.add(run.id, 'bigint')}, person_id, fit_score, fit_grade, engagement_score, mql, contributions, as_of
     FROM (${scoring}) scored
     ON CONFLICT (run_id, person_id) DO NOTHING`,
    params.values,
  );
  return { count: n, last };
}

async function swapRun(q: Queryable, set: RuleSet, run: RunRow): Promise<void> {
  await q.query(`UPDATE scoring_runs SET status = 'swapping' WHERE id = $1`, [run.id]);
  // A million staged rows arrived since autovacuum last looked: plan the swap on fresh statistics
  // (hash joins, not a million index probes planned for a few thousand rows).
  await q.query('ANALYZE scoring_staged_scores');
  const { changed } = await applyScores(q, run.workspace_id, run.version, 'rescore', {
    sql: `SELECT person_id, fit_score, fit_grade, engagement_score, mql, contributions, computed_at
          FROM scoring_staged_scores WHERE run_id = $4`,
    params: [run.id],
  });
  const promoted = await changeStageMany(q, ruleActor(run.version, run.workspace_id), {
    candidates: `SELECT s.person_id, format('スコアリング v%s でMQL条件を満たしました（適合度 %s・%s点 / エンゲージメント %s点） — MQL condition of scoring v%s met (fit %s, %s; engagement %s)',
                   $10::int, s.fit_grade, s.fit_score, s.engagement_score, $10::int, s.fit_grade, s.fit_score, s.engagement_score) AS reason
                 FROM scoring_staged_scores st JOIN person_scores s ON s.person_id = st.person_id
                 WHERE st.run_id = $9 AND s.version = $10 AND s.mql`,
    params: [run.id, run.version],
    to: 'mql',
    from: QUALIFYING_STAGES,
    mover: 'system',
    actorType: 'rule',
    actorId: `v${run.version}`,
    at: run.as_of,
  });
  const reach = await q.query<{ reach: Record<string, number> | null }>(
    `SELECT jsonb_object_agg(rule_id, people) AS reach FROM (
       SELECT e ->> 'ruleId' AS rule_id, count(*)::int AS people
       FROM scoring_staged_scores s CROSS JOIN LATERAL jsonb_array_elements(s.contributions) e
       WHERE s.run_id = $1 GROUP BY 1) x`,
    [run.id],
  );
  await q.query(
    `UPDATE scoring_runs SET status = 'done', finished_at = now(), changed = $2, promoted = $3, reach = $4 WHERE id = $1`,
    [run.id, changed, promoted, JSON.stringify(reach.rows[0].reach ?? {})],
  );
  await q.query('DELETE FROM scoring_staged_scores WHERE run_id = $1', [run.id]);
  await emitEvent(q, run.workspace_id, 'scoring.rescored', {
    runId: run.id,
    version: set.version,
    changed,
    promoted,
  });
}
