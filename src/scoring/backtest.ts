import type { Queryable } from '../platform/db/client.ts';
import type { RuleSet } from './rule-set.ts';
import { compileScoringQuery, Params } from './sql.ts';

export interface BacktestOptions {
  /** Only people who entered between these moments; all people when absent. */
  from?: Date;
  to?: Date;
  /** How many calendar months of "MQLs per month" to replay, ending with the current one. (Default: 12) */
  months?: number;
  now: Date;
}

export interface OutcomeStats {
  /** People who reached the stage. */
  actual: number;
  /** Of the predicted MQLs, the share that reached it. */
  precision: number | null;
  /** Of the people who reached it, the share the rules made MQL before sales qualified them. */
  recall: number | null;
  /** The share of everyone who reached it. */
  baseRate: number | null;
  /** precision / baseRate: how much likelier an MQL is to get there than an average lead. */
  lift: number | null;
}

export interface Backtest {
  ruleSetVersion: number | null;
  population: number;
  predictedMql: number;
  sql: OutcomeStats;
  won: OutcomeStats;
  /** Of all eventual wins, the share the rules made MQL before the deal reached SQL. */
  winsMqlBeforeSql: number | null;
  /** The same share for what really happened (a stage history with MQL before SQL). */
  actualWinsMqlBeforeSql: number | null;
  engagementBands: Band[];
  fitGrades: { grade: string; people: number; sql: number; won: number; sqlRate: number | null; wonRate: number | null }[];
  mqlsPerMonth: { month: string; predicted: number; actual: number }[];
  reach: Record<string, number>;
}

export interface Band {
  band: string;
  min: number | null;
  max: number | null;
  people: number;
  sql: number;
  won: number;
  sqlRate: number | null;
  wonRate: number | null;
}

const BANDS: { band: string; min: number | null; max: number | null }[] = [
  { band: '<0', min: null, max: -1 },
  { band: '0–19', min: 0, max: 19 },
  { band: '20–39', min: 20, max: 39 },
  { band: '40–59', min: 40, max: 59 },
  { band: '60–79', min: 60, max: 79 },
  { band: '80+', min: 80, max: null },
];

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/**
 * Replays a rule set over the stored history and compares it with what happened. Each person
 * is scored as of the moment sales qualified them (their first SQL, or an opportunity), or as
 * of now if that never happened, so later behaviour never leaks into the prediction; the
 * monthly replay scores everyone at each month's end to count when they would first have
 * become MQL. Set-based: two scoring queries over all people.
 */
export async function backtestRuleSet(q: Queryable, workspaceId: number, set: RuleSet, opts: BacktestOptions): Promise<Backtest> {
  const months = Math.min(Math.max(opts.months ?? 12, 1), 36);
  const params = new Params([workspaceId]);
  const now = params.add(opts.now, 'timestamptz');
  const from = params.add(opts.from ?? null, 'timestamptz');
  const to = params.add(opts.to ?? null, 'timestamptz');
  const outcomes = `SELECT p.id AS person_id, p.created_at,
      least(t.first_sql, o.first_opportunity, t.first_won, o.first_win) AS qualified_at,
      least(t.first_won, o.first_win) AS won_at, t.first_mql
    FROM people p
    LEFT JOIN (
      SELECT person_id, min(at) FILTER (WHERE to_stage = 'sql') AS first_sql, min(at) FILTER (WHERE to_stage = 'won') AS first_won,
             min(at) FILTER (WHERE to_stage = 'mql') AS first_mql
      FROM stage_transitions WHERE workspace_id = $1 GROUP BY person_id) t ON t.person_id = p.id
    LEFT JOIN (
      SELECT person_id, min(created_at) AS first_opportunity, min(closed_at) FILTER (WHERE status = 'won') AS first_win
      FROM opportunities WHERE workspace_id = $1 AND person_id IS NOT NULL GROUP BY person_id) o ON o.person_id = p.id
    WHERE p.workspace_id = $1 AND (${from} IS NULL OR p.created_at >= ${from}) AND (${to} IS NULL OR p.created_at < ${to})`;
  const scoring = compileScoringQuery(set, `SELECT person_id, coalesce(qualified_at, ${now}) AS as_of FROM outcomes`, params);
  const bandCases = BANDS.map(
    (b, i) =>
      `WHEN ${b.min === null ? 'true' : `engagement_score >= ${b.min}`} AND ${b.max === null ? 'true' : `engagement_score <= ${b.max}`} THEN ${i}`,
  ).join(' ');
  const r = await q.query<{
    population: number;
    predicted: number;
    sql_actual: number;
    sql_hit: number;
    won_actual: number;
    won_hit: number;
    won_actual_mql_first: number;
    bands: { band: number; people: number; sql: number; won: number }[] | null;
    grades: { grade: string; people: number; sql: number; won: number }[] | null;
    reach: Record<string, number> | null;
  }>(
    `WITH outcomes AS (${outcomes}),
     scored AS (${scoring}),
     joined AS (
       SELECT s.*, o.qualified_at IS NOT NULL AS reached_sql, o.won_at IS NOT NULL AS reached_won,
              (o.first_mql IS NOT NULL AND (o.qualified_at IS NULL OR o.first_mql <= o.qualified_at)) AS actual_mql_first,
              CASE ${bandCases} END AS band
       FROM scored s JOIN outcomes o ON o.person_id = s.person_id
     )
     SELECT count(*)::int AS population,
       count(*) FILTER (WHERE mql)::int AS predicted,
       count(*) FILTER (WHERE reached_sql)::int AS sql_actual,
       count(*) FILTER (WHERE reached_sql AND mql)::int AS sql_hit,
       count(*) FILTER (WHERE reached_won)::int AS won_actual,
       count(*) FILTER (WHERE reached_won AND mql)::int AS won_hit,
       count(*) FILTER (WHERE reached_won AND actual_mql_first)::int AS won_actual_mql_first,
       (SELECT jsonb_agg(jsonb_build_object('band', band, 'people', n, 'sql', s, 'won', w) ORDER BY band) FROM (
          SELECT band, count(*) AS n, count(*) FILTER (WHERE reached_sql) AS s, count(*) FILTER (WHERE reached_won) AS w
          FROM joined GROUP BY band) b) AS bands,
       (SELECT jsonb_agg(jsonb_build_object('grade', fit_grade, 'people', n, 'sql', s, 'won', w) ORDER BY fit_grade) FROM (
          SELECT fit_grade, count(*) AS n, count(*) FILTER (WHERE reached_sql) AS s, count(*) FILTER (WHERE reached_won) AS w
          FROM joined GROUP BY fit_grade) g) AS grades,
       (SELECT jsonb_object_agg(rule_id, n) FROM (
          SELECT e ->> 'ruleId' AS rule_id, count(*)::int AS n
          FROM joined CROSS JOIN LATERAL jsonb_array_elements(contributions) e GROUP BY 1) x) AS reach
     FROM joined`,
    params.values,
  );
  const row = r.rows[0];
  const stats = (actual: number, hit: number): OutcomeStats => {
    const precision = ratio(hit, row.predicted);
    const baseRate = ratio(actual, row.population);
    return {
      actual,
      precision,
      recall: ratio(hit, actual),
      baseRate,
      lift: precision === null || !baseRate ? null : precision / baseRate,
    };
  };
  const bandRows = new Map((row.bands ?? []).map((b) => [b.band, b]));
  return {
    ruleSetVersion: set.version || null,
    population: row.population,
    predictedMql: row.predicted,
    sql: stats(row.sql_actual, row.sql_hit),
    won: stats(row.won_actual, row.won_hit),
    winsMqlBeforeSql: ratio(row.won_hit, row.won_actual),
    actualWinsMqlBeforeSql: ratio(row.won_actual_mql_first, row.won_actual),
    engagementBands: BANDS.map((b, i) => {
      const x = bandRows.get(i) ?? { people: 0, sql: 0, won: 0 };
      return { ...b, people: x.people, sql: x.sql, won: x.won, sqlRate: ratio(x.sql, x.people), wonRate: ratio(x.won, x.people) };
    }),
    fitGrades: ['A', 'B', 'C', 'D'].map((g) => {
      const x = (row.grades ?? []).find((y) => y.grade === g) ?? { people: 0, sql: 0, won: 0 };
      return { grade: g, people: x.people, sql: x.sql, won: x.won, sqlRate: ratio(x.sql, x.people), wonRate: ratio(x.won, x.people) };
    }),
    mqlsPerMonth: await mqlsPerMonth(q, workspaceId, set, opts, months),
    reach: row.reach ?? {},
  };
}

/**
 * When would the rule set have made each person MQL? Scores everyone at the end of each of
 * the last `months` months (before sales qualified them) and counts first crossings, beside
 * the MQLs that really happened in each month.
 */
async function mqlsPerMonth(q: Queryable, workspaceId: number, set: RuleSet, opts: BacktestOptions, months: number) {
  const params = new Params([workspaceId]);
  const now = params.add(opts.now, 'timestamptz');
  const n = params.add(months, 'int');
  const from = params.add(opts.from ?? null, 'timestamptz');
  const to = params.add(opts.to ?? null, 'timestamptz');
  const checkpoints = `SELECT least(${now}, date_trunc('month', ${now}) + make_interval(months => 2 - k)) AS as_of,
      date_trunc('month', ${now}) - make_interval(months => k - 1) AS month
    FROM generate_series(1, ${n}) AS k`;
  const population = `SELECT p.id AS person_id, p.created_at,
      (SELECT min(at) FROM stage_transitions t WHERE t.person_id = p.id AND t.to_stage IN ('sql', 'won')) AS qualified_at
    FROM people p WHERE p.workspace_id = $1 AND (${from} IS NULL OR p.created_at >= ${from}) AND (${to} IS NULL OR p.created_at < ${to})`;
  const subjects = `SELECT pop.person_id, c.as_of FROM pop CROSS JOIN cp c
    WHERE pop.created_at <= c.as_of AND (pop.qualified_at IS NULL OR pop.qualified_at > c.as_of)`;
  const scoring = compileScoringQuery(set, subjects, params);
  const r = await q.query<{ month: string; predicted: number; actual: number }>(
    `WITH cp AS (${checkpoints}), pop AS (${population}),
     scored AS (${scoring}),
     firsts AS (SELECT person_id, min(as_of) AS first_at FROM scored WHERE mql GROUP BY person_id),
     predicted AS (
       SELECT c.month, count(f.person_id)::int AS n FROM cp c LEFT JOIN firsts f ON f.first_at = c.as_of GROUP BY c.month),
     actual AS (
       SELECT date_trunc('month', t.at) AS month, count(DISTINCT t.person_id)::int AS n
       FROM stage_transitions t JOIN pop ON pop.person_id = t.person_id
       WHERE t.workspace_id = $1 AND t.to_stage = 'mql' GROUP BY 1)
     SELECT to_char(c.month, 'YYYY-MM') AS month, coalesce(p.n, 0) AS predicted, coalesce(a.n, 0) AS actual
     FROM cp c LEFT JOIN predicted p ON p.month = c.month LEFT JOIN actual a ON a.month = c.month
     ORDER BY c.month`,
    params.values,
  );
  return r.rows;
}
