import type { Queryable } from '../platform/db/client.ts';
import { periodBoundsSql } from './funnel.ts';
import { type Period, REPORT_TZ } from './period.ts';

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
  const { lo, hi } = periodBoundsSql(2, 3);
  const month = (col: string) => `to_char(${col}, 'YYYY-MM')`;
  const trunc = (col: string) => `date_trunc('month', ${col} AT TIME ZONE '${REPORT_TZ}')`;
  // One index range of funnel_people (kept per person by migration 0505), grouped by the cohort
  // month, the current stage and the months MQL, SQL and Won were first reached after it.
  const r = await q.query<{
    cohort: string;
    stage: string;
    mql: string | null;
    sql: string | null;
    won: string | null;
    n: number;
  }>(
    `SELECT ${month('g.c')} AS cohort, g.stage, ${month('g.m')} AS mql, ${month('g.s')} AS sql, ${month('g.w')} AS won, g.n
     FROM (
       SELECT ${trunc('inquiry_at')} AS c, stage, ${trunc('mql_at')} AS m, ${trunc('sql_at')} AS s, ${trunc('won_at')} AS w, count(*)::int AS n
       FROM funnel_people WHERE workspace_id = $1 AND inquiry_at >= ${lo} AND inquiry_at < ${hi}
       GROUP BY 1, 2, 3, 4, 5
     ) g`,
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
      if (reached === null) continue;
      const list = c.reached[stage];
      const offset = monthIndex(reached) - monthIndex(row.cohort);
      for (let k = Math.max(0, offset); k < list.length; k++) list[k] += row.n;
    }
  }
  return [...cohorts.values()];
}
