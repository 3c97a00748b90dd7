import type { Queryable } from '../platform/db/client.ts';
import type { Period } from './period.ts';

export const COHORT_STAGES = ['mql', 'sql', 'won'] as const;
export type CohortStage = (typeof COHORT_STAGES)[number];

export interface Cohort {
  /** YYYY-MM: the month the people first became an Inquiry. */
  month: string;
  size: number;
  /** Where the cohort's people are now, by current stage. */
  now: Record<string, number>;
  /**
   * For each stage, how many of the cohort had reached it by the end of month M, M+1, …
   * (cumulative, up to the current month). SQL counts entries via SAL, MQL or SGL alike.
   */
  reached: Record<CohortStage, number[]>;
}

const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;

/**
 * Cohorts: people whose first Inquiry fell in each month of the period, where they are now, and
 * how many reached MQL, SQL and Won by the end of each later month.
 */
export async function funnelCohorts(
  q: Queryable,
  ws: number,
  period: Period,
  currentMonth: string,
): Promise<Cohort[]> {
  // The rollup kept by migration 0505 (funnel_cohort_daily): the people whose first Inquiry fell
  // on each day of the period, by current stage and the months they first reached MQL, SQL and
  // Won (year × 12 + month − 1 in the report time zone, −1 while not reached).
  const r = await q.query<{
    cohort: string;
    stage: string;
    mql: number;
    sql: number;
    won: number;
    n: number;
  }>(
    `SELECT to_char(day, 'YYYY-MM') AS cohort, stage, mql_month AS mql, sql_month AS sql, won_month AS won, sum(n)::int AS n
     FROM funnel_cohort_daily WHERE workspace_id = $1 AND day >= $2::date AND day <= $3::date
     GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0`,
    [ws, period.from, period.to],
  );
  const cohorts = new Map<string, Cohort>();
  for (let m = monthIndex(period.from); m <= monthIndex(period.to); m++) {
    const key = `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
    const span = Math.max(0, monthIndex(currentMonth) - m) + 1;
    cohorts.set(key, {
      month: key,
      size: 0,
      now: {},
      reached: { mql: Array(span).fill(0), sql: Array(span).fill(0), won: Array(span).fill(0) },
    });
  }
  for (const row of r.rows) {
    const c = cohorts.get(row.cohort);
    if (!c) continue;
    c.now[row.stage] = (c.now[row.stage] ?? 0) + row.n;
    c.size += row.n;
    for (const stage of COHORT_STAGES) {
      const reached = row[stage];
      if (reached < 0) continue;
      const list = c.reached[stage];
      const offset = reached - monthIndex(row.cohort);
      for (let k = Math.max(0, offset); k < list.length; k++) list[k] += row.n;
    }
  }
  return [...cohorts.values()];
}
