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
export async function funnelCohorts(q: Queryable, ws: number, period: Period, currentMonth: string): Promise<Cohort[]> {
  const { lo, hi } = periodBoundsSql(2, 3);
  const month = (col: string) => `to_char(date_trunc('month', ${col} AT TIME ZONE '${REPORT_TZ}'), 'YYYY-MM')`;
  const r = await q.query<{ cohort: string; kind: string; key: string; n: number }>(
    `WITH c AS (
       SELECT f.person_id, min(f.entered_at) AS at FROM funnel_entries f
       WHERE f.workspace_id = $1 AND f.stage = 'inquiry' AND f.entered_at < ${hi}
       GROUP BY f.person_id HAVING min(f.entered_at) >= ${lo}
     )
     SELECT ${month('c.at')} AS cohort, 'now' AS kind, p.stage AS key, count(*)::int AS n
       FROM c JOIN people p ON p.id = c.person_id GROUP BY 1, 3
     UNION ALL
     SELECT x.cohort, x.stage, x.reached, count(*)::int FROM (
       SELECT ${month('c.at')} AS cohort, f.stage, ${month('min(f.entered_at)')} AS reached
       FROM c JOIN funnel_entries f ON f.person_id = c.person_id AND f.stage IN ('mql', 'sql', 'won') AND f.entered_at >= c.at
       GROUP BY c.person_id, c.at, f.stage
     ) x GROUP BY 1, 2, 3`,
    [ws, period.from, period.to],
  );
  const cohorts = new Map<string, Cohort>();
  for (let m = monthIndex(period.from); m <= monthIndex(period.to); m++) {
    const key = `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
    const span = Math.max(0, monthIndex(currentMonth) - m) + 1;
    cohorts.set(key, { month: key, size: 0, now: {}, reached: { mql: Array(span).fill(0), sql: Array(span).fill(0), won: Array(span).fill(0) } });
  }
  for (const row of r.rows) {
    const c = cohorts.get(row.cohort);
    if (!c) continue;
    if (row.kind === 'now') {
      c.now[row.key] = row.n;
      c.size += row.n;
    } else {
      const list = c.reached[row.kind as CohortStage];
      const offset = monthIndex(row.key) - monthIndex(row.cohort);
      for (let k = Math.max(0, offset); k < list.length; k++) list[k] += row.n;
    }
  }
  return [...cohorts.values()];
}
