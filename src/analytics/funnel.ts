import type { Queryable } from '../platform/db/client.ts';
import {
  type Breakdown,
  figures,
  type StageFigures,
  sizeBandSql,
  WATERFALL,
  type WaterfallStage,
} from './model.ts';
import { addDays, type Period, REPORT_TZ, splitAtMonths } from './period.ts';

/**
 * The breakdown value of a funnel entry `f` as text (null when the person has none; an empty
 * text counts as none, as in the rollups). Every value is a column of the entry: the campaign
 * is the person's first touch, kept on their entries (migration 0506).
 */
export function dimensionSql(by: Breakdown): string {
  switch (by) {
    case 'channel':
      return "nullif(f.channel, '')";
    case 'source':
      return "nullif(f.source, '')";
    case 'industry':
      return "nullif(f.industry, '')";
    case 'prefecture':
      return "nullif(f.prefecture, '')";
    case 'owner':
      return 'f.owner_id::text';
    case 'employeeSize':
      return sizeBandSql('f.employee_count');
    case 'campaign':
      return 'f.campaign_id::text';
  }
}

/** The period's bounds as timestamptz parameters: [from 00:00, to+1 00:00) in the report time zone. */
export function periodBoundsSql(fromParam: number, toParam: number): { lo: string; hi: string } {
  return {
    lo: `($${fromParam}::date::timestamp AT TIME ZONE '${REPORT_TZ}')`,
    hi: `(($${toParam}::date + 1)::timestamp AT TIME ZONE '${REPORT_TZ}')`,
  };
}

export interface BreakdownRow {
  value: string | null;
  label: string | null;
  stages: StageFigures[];
}

export interface FunnelReport {
  from: string;
  to: string;
  timeZone: string;
  by: Breakdown | null;
  stages: StageFigures[];
  /** How the SQL entries of the period arrived: from SAL, straight from MQL, from SGL, or back from recycled/lost/won. */
  sqlFrom: Record<string, number>;
  /** Exits in the period: transitions into lost, recycled, disqualified. */
  exits: { lost: number; recycled: number; disqualified: number };
  breakdown?: BreakdownRow[];
}

/** One cell of the histogram the funnel is computed from: entries of a stage (and breakdown value) by whole days to the next stage (null: not reached). */
interface HistRow {
  stage: WaterfallStage;
  value: string | null;
  days: number | null;
  n: number;
}

/** Whole days from an entry to the next stage, as SQL over funnel_entries `f` (null while not reached). */
const WHOLE_DAYS_SQL = 'floor(extract(epoch FROM f.next_at - f.entered_at) / 86400)::int';

/** Median of a histogram of whole days: the middle value (the mean of the two middle values for an even count). */
export function histogramMedian(hist: Map<number, number>): number | null {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const sorted = [...hist.entries()].sort((a, b) => a[0] - b[0]);
  const at = (k: number) => {
    let seen = 0;
    for (const [d, n] of sorted) {
      seen += n;
      if (seen > k) return d;
    }
    return sorted[sorted.length - 1][0];
  };
  return total % 2 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

function stagesOf(rows: HistRow[]): StageFigures[] {
  return WATERFALL.map((stage) => {
    let count = 0;
    let converted = 0;
    const hist = new Map<number, number>();
    for (const r of rows) {
      if (r.stage !== stage) continue;
      count += r.n;
      if (r.days !== null) {
        converted += r.n;
        hist.set(r.days, (hist.get(r.days) ?? 0) + r.n);
      }
    }
    return figures(stage, count, converted, histogramMedian(hist));
  });
}

/**
 * The histogram of a period: entries by stage, breakdown value and whole days to the next stage.
 * Totals and the channel breakdown sum the daily rollup funnel_daily (its primary key range: a few
 * hundred thousand rows at most per year). The other breakdowns sum the monthly rollup
 * funnel_monthly_dims over the whole months of the period (its primary key range) and count the
 * entries of the partial months at its edges from funnel_entries (funnel_entries_period_idx).
 */
async function histogram(q: Queryable, ws: number, period: Period, by?: Breakdown): Promise<HistRow[]> {
  if (by === undefined || by === 'channel') {
    const r = await q.query<HistRow>(
      `SELECT d.stage, ${by ? "nullif(d.channel, '')" : 'NULL::text'} AS value, nullif(d.days, -1) AS days, sum(d.n)::int AS n
       FROM funnel_daily d
       WHERE d.workspace_id = $1 AND d.day >= $2::date AND d.day <= $3::date
       GROUP BY 1, 2, 3 HAVING sum(d.n) <> 0`,
      [ws, period.from, period.to],
    );
    return r.rows;
  }
  const { months, edges } = splitAtMonths(period);
  const params: unknown[] = [ws];
  const parts: string[] = [];
  if (months) {
    params.push(by, months.from, months.until);
    parts.push(
      `SELECT m.stage, nullif(m.value, '') AS value, nullif(m.days, -1) AS days, sum(m.n) AS n
       FROM funnel_monthly_dims m
       WHERE m.workspace_id = $1 AND m.dim = $2 AND m.month >= $3::date AND m.month < $4::date
       GROUP BY 1, 2, 3`,
    );
  }
  for (const edge of edges) {
    params.push(edge.from, edge.to);
    const { lo, hi } = periodBoundsSql(params.length - 1, params.length);
    parts.push(
      `SELECT f.stage, ${dimensionSql(by)} AS value, ${WHOLE_DAYS_SQL} AS days, count(*) AS n
       FROM funnel_entries f
       WHERE f.workspace_id = $1 AND f.entered_at >= ${lo} AND f.entered_at < ${hi}
       GROUP BY 1, 2, 3`,
    );
  }
  const r = await q.query<HistRow>(
    `SELECT x.stage, x.value, x.days, sum(x.n)::int AS n
     FROM (${parts.join(' UNION ALL ')}) x
     GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0`,
    params,
  );
  return r.rows;
}

/**
 * The waterfall for a period: per stage, entries in the period, how many reached the next stage,
 * and the median whole days it took; with `by`, the same per value of the breakdown. Everything
 * comes from one histogram (entries by stage, breakdown value and whole days to the next stage).
 */
export async function funnelReport(
  q: Queryable,
  ws: number,
  period: Period,
  by?: Breakdown,
): Promise<FunnelReport> {
  const { lo, hi } = periodBoundsSql(2, 3);
  const rows = await histogram(q, ws, period, by);
  const side = await q.query<{ kind: string; key: string | null; n: number }>(
    `SELECT 'sql' AS kind, f.from_stage AS key, count(*)::int AS n FROM funnel_entries f
       WHERE f.workspace_id = $1 AND f.stage = 'sql' AND f.entered_at >= ${lo} AND f.entered_at < ${hi} GROUP BY f.from_stage
     UNION ALL
     SELECT 'exit', t.to_stage, count(*)::int FROM stage_transitions t
       WHERE t.workspace_id = $1 AND t.to_stage IN ('lost', 'recycled', 'disqualified') AND t.at >= ${lo} AND t.at < ${hi}
       GROUP BY t.to_stage`,
    [ws, period.from, period.to],
  );
  const exits = { lost: 0, recycled: 0, disqualified: 0 };
  const sqlFrom: Record<string, number> = {};
  for (const s of side.rows) {
    if (s.kind === 'exit') exits[s.key as keyof typeof exits] = s.n;
    else sqlFrom[s.key ?? 'none'] = s.n;
  }
  const report: FunnelReport = {
    from: period.from,
    to: period.to,
    timeZone: REPORT_TZ,
    by: by ?? null,
    stages: stagesOf(rows),
    sqlFrom,
    exits,
  };
  if (by) {
    const groups = new Map<string | null, HistRow[]>();
    for (const row of rows) {
      const list = groups.get(row.value) ?? [];
      list.push(row);
      groups.set(row.value, list);
    }
    const labels = await labelsFor(
      q,
      ws,
      by,
      [...groups.keys()].filter((v): v is string => v !== null),
    );
    const total = (g: StageFigures[]) => g.reduce((s, x) => s + x.count, 0);
    report.breakdown = [...groups.entries()]
      .map(([value, rows]) => ({
        [by]: value,
        value,
        label: value === null ? null : (labels.get(value) ?? value),
        stages: stagesOf(rows),
      }))
      .sort(
        (a, b) =>
          b.stages[0].count - a.stages[0].count ||
          total(b.stages) - total(a.stages) ||
          String(a.value).localeCompare(String(b.value)),
      );
  }
  return report;
}

/** Display names of owners and campaigns; other breakdown values are their own label. */
export async function labelsFor(
  q: Queryable,
  ws: number,
  by: Breakdown,
  values: string[],
): Promise<Map<string, string>> {
  if (values.length === 0 || (by !== 'owner' && by !== 'campaign')) return new Map();
  const table = by === 'owner' ? 'users' : 'campaigns';
  const r = await q.query<{ id: string; name: string }>(
    `SELECT id::text AS id, coalesce(nullif(name, ''), id::text) AS name FROM ${table} WHERE workspace_id = $1 AND id::text = ANY($2)`,
    [ws, values],
  );
  return new Map(r.rows.map((x) => [x.id, x.name]));
}

export interface TrendMonth {
  month: string;
  stages: StageFigures[];
}

/** The waterfall month by month (months in the report time zone). */
export async function funnelTrend(q: Queryable, ws: number, period: Period): Promise<TrendMonth[]> {
  const r = await q.query<HistRow & { month: string }>(
    `SELECT to_char(d.day, 'YYYY-MM') AS month, d.stage, NULL::text AS value, nullif(d.days, -1) AS days, sum(d.n)::int AS n
     FROM funnel_daily d
     WHERE d.workspace_id = $1 AND d.day >= $2::date AND d.day <= $3::date
     GROUP BY 1, 2, 4 HAVING sum(d.n) <> 0`,
    [ws, period.from, period.to],
  );
  const months: TrendMonth[] = [];
  for (let m = period.from.slice(0, 7); m <= period.to.slice(0, 7); m = addDays(`${m}-28`, 7).slice(0, 7)) {
    months.push({ month: m, stages: stagesOf(r.rows.filter((x) => x.month === m)) });
  }
  return months;
}

export interface StageAging {
  stage: 'mql' | 'sal' | 'sgl' | 'sql';
  /** People in the stage now. */
  people: number;
  /** Median days they have been in it. */
  medianDays: number | null;
  over14: number;
  over30: number;
}

/** Where leads stall now: people sitting in each middle stage and for how long. Reads people_stage_aging_idx. */
export async function stageAging(q: Queryable, ws: number, now: Date): Promise<StageAging[]> {
  const r = await q.query<{
    stage: StageAging['stage'];
    people: number;
    median_days: number | null;
    over14: number;
    over30: number;
  }>(
    `SELECT stage, count(*)::int AS people,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM $2::timestamptz - stage_changed_at)) / 86400 AS median_days,
            count(*) FILTER (WHERE stage_changed_at < $2::timestamptz - interval '14 days')::int AS over14,
            count(*) FILTER (WHERE stage_changed_at < $2::timestamptz - interval '30 days')::int AS over30
     FROM people WHERE workspace_id = $1 AND stage IN ('mql', 'sal', 'sgl', 'sql') GROUP BY stage`,
    [ws, now],
  );
  return (['mql', 'sal', 'sgl', 'sql'] as const).map((stage) => {
    const x = r.rows.find((row) => row.stage === stage);
    return {
      stage,
      people: x?.people ?? 0,
      medianDays:
        x?.median_days === null || x?.median_days === undefined ? null : Math.round(x.median_days * 10) / 10,
      over14: x?.over14 ?? 0,
      over30: x?.over30 ?? 0,
    };
  });
}
