import type { Queryable } from '../platform/db/client.ts';
import { invalid } from '../platform/errors.ts';
import { type Actor, recordAudit } from '../team/audit.ts';
import { periodBoundsSql } from './funnel.ts';
import { addDays, REPORT_TZ, todayIn } from './period.ts';

export const TARGET_METRICS = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'revenue'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];
export type PeriodType = 'month' | 'quarter';

/** A month `2026-11` or a calendar quarter `2026-Q4`. */
export interface TargetPeriod {
  type: PeriodType;
  key: string;
  /** First day, YYYY-MM-DD. */
  start: string;
  /** Last day, inclusive. */
  end: string;
}

const lastDayOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);

export function parseTargetPeriod(path: string, key: string): TargetPeriod {
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (month) {
    const [y, m] = [Number(month[1]), Number(month[2])];
    return { type: 'month', key, start: `${key}-01`, end: lastDayOfMonth(y, m) };
  }
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  if (quarter) {
    const [y, q] = [Number(quarter[1]), Number(quarter[2])];
    const m = (q - 1) * 3 + 1;
    return {
      type: 'quarter',
      key,
      start: `${y}-${String(m).padStart(2, '0')}-01`,
      end: lastDayOfMonth(y, m + 2),
    };
  }
  throw invalid(path, 'must be a month YYYY-MM or a quarter YYYY-Qn');
}

export function periodOfDay(type: PeriodType, day: string): TargetPeriod {
  const y = day.slice(0, 4);
  const m = Number(day.slice(5, 7));
  return parseTargetPeriod('period', type === 'month' ? day.slice(0, 7) : `${y}-Q${Math.ceil(m / 3)}`);
}

export function nextPeriod(p: TargetPeriod): TargetPeriod {
  return periodOfDay(p.type, addDays(p.end, 1));
}

export interface Target {
  period: string;
  periodType: PeriodType;
  metric: TargetMetric;
  value: number;
  updatedAt: Date;
  updatedBy: string | null;
}

export async function listTargets(
  q: Queryable,
  ws: number,
  from: TargetPeriod,
  to: TargetPeriod,
): Promise<Target[]> {
  const r = await q.query<{
    period_type: PeriodType;
    period_start: string;
    metric: TargetMetric;
    value: number;
    updated_at: Date;
    updated_by: string | null;
  }>(
    `SELECT period_type, period_start, metric, value, updated_at, updated_by FROM kpi_targets
     WHERE workspace_id = $1 AND period_start >= $2 AND period_start <= $3 ORDER BY period_start, period_type, metric`,
    [ws, from.start, to.end],
  );
  return r.rows.map((x) => ({
    period: periodOfDay(x.period_type, x.period_start).key,
    periodType: x.period_type,
    metric: x.metric,
    value: x.value,
    updatedAt: x.updated_at,
    updatedBy: x.updated_by,
  }));
}

/** Sets targets (value null removes one), all in the caller's transaction. */
export async function saveTargets(
  q: Queryable,
  actor: Actor,
  items: { period: string; metric: TargetMetric; value: number | null }[],
): Promise<number> {
  const parsed = items.map((x, i) => ({ ...x, p: parseTargetPeriod(`items[${i}].period`, x.period) }));
  const set = parsed.filter((x) => x.value !== null);
  const drop = parsed.filter((x) => x.value === null);
  if (set.length) {
    await q.query(
      `INSERT INTO kpi_targets (workspace_id, period_type, period_start, metric, value, updated_by, updated_at)
       SELECT $1, t, s, m, v, $6, now() FROM unnest($2::text[], $3::date[], $4::text[], $5::bigint[]) AS u(t, s, m, v)
       ON CONFLICT (workspace_id, period_type, period_start, metric) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [
        actor.workspaceId,
        set.map((x) => x.p.type),
        set.map((x) => x.p.start),
        set.map((x) => x.metric),
        set.map((x) => x.value),
        actor.label,
      ],
    );
  }
  if (drop.length) {
    await q.query(
      `DELETE FROM kpi_targets WHERE workspace_id = $1 AND (period_type, period_start, metric) IN (
         SELECT * FROM unnest($2::text[], $3::date[], $4::text[]))`,
      [actor.workspaceId, drop.map((x) => x.p.type), drop.map((x) => x.p.start), drop.map((x) => x.metric)],
    );
  }
  await recordAudit(q, actor, {
    action: 'targets.saved',
    entityType: 'kpi_target',
    meta: { items: items.map((x) => ({ period: x.period, metric: x.metric, value: x.value })) },
  });
  return items.length;
}

export interface MetricProgress {
  metric: TargetMetric;
  target: number | null;
  actual: number;
  /** actual − target: negative means behind. */
  gap: number | null;
  /** actual / target. */
  attainment: number | null;
  /** Run-rate: the actual so far scaled to the whole period (current period); the actual for a past period; null for a future one. */
  forecast: number | null;
  /** Whether the forecast reaches the target (null without a target or forecast). */
  onTrack: boolean | null;
}

export interface PeriodProgress {
  period: string;
  periodType: PeriodType;
  start: string;
  end: string;
  status: 'past' | 'current' | 'future';
  /** Days of the period elapsed so far (fractional), and its length. */
  elapsedDays: number;
  totalDays: number;
  metrics: MetricProgress[];
}

/** Actual stage entries (the funnel's count) and won revenue per month of a date range. */
async function monthlyActuals(
  q: Queryable,
  ws: number,
  from: string,
  to: string,
): Promise<Map<string, Record<TargetMetric, number>>> {
  const { lo, hi } = periodBoundsSql(2, 3);
  const month = (col: string) =>
    `to_char(date_trunc('month', ${col} AT TIME ZONE '${REPORT_TZ}'), 'YYYY-MM')`;
  const r = await q.query<{ month: string; metric: TargetMetric; n: number }>(
    `SELECT to_char(d.day, 'YYYY-MM') AS month, d.stage AS metric, sum(d.n)::bigint AS n FROM funnel_daily d
       WHERE d.workspace_id = $1 AND d.day >= $2::date AND d.day <= $3::date GROUP BY 1, 2
     UNION ALL
     SELECT ${month('o.closed_at')}, 'revenue', coalesce(sum(o.amount), 0)::bigint FROM opportunities o
       WHERE o.workspace_id = $1 AND o.status = 'won' AND o.closed_at >= ${lo} AND o.closed_at < ${hi} GROUP BY 1`,
    [ws, from, to],
  );
  const out = new Map<string, Record<TargetMetric, number>>();
  for (const row of r.rows) {
    const m =
      out.get(row.month) ??
      (Object.fromEntries(TARGET_METRICS.map((k) => [k, 0])) as Record<TargetMetric, number>);
    m[row.metric] = row.n;
    out.set(row.month, m);
  }
  return out;
}

const periodStartMs = (day: string) => Date.parse(`${day}T00:00:00+09:00`);

/** Plan against actual for each period from `from` to `to`, with the gap and a run-rate forecast. */
export async function targetProgress(
  q: Queryable,
  ws: number,
  from: TargetPeriod,
  to: TargetPeriod,
  now: Date,
): Promise<PeriodProgress[]> {
  const periods: TargetPeriod[] = [];
  for (let p = from; p.start <= to.start && periods.length < 120; p = nextPeriod(p)) periods.push(p);
  const actuals = await monthlyActuals(q, ws, from.start, to.end);
  const targets = await listTargets(q, ws, from, to);
  const today = todayIn(now);
  return periods.map((p) => {
    const totalDays = Math.round((periodStartMs(addDays(p.end, 1)) - periodStartMs(p.start)) / 86_400_000);
    const status = today > p.end ? 'past' : today < p.start ? 'future' : 'current';
    const elapsedDays =
      status === 'past'
        ? totalDays
        : status === 'future'
          ? 0
          : Math.min(totalDays, (now.getTime() - periodStartMs(p.start)) / 86_400_000);
    const metrics = TARGET_METRICS.map((metric): MetricProgress => {
      let actual = 0;
      for (const [month, values] of actuals)
        if (`${month}-01` >= p.start && `${month}-01` <= p.end) actual += values[metric];
      const target =
        targets.find((x) => x.period === p.key && x.periodType === p.type && x.metric === metric)?.value ??
        null;
      // Under a day of data says little: the run-rate starts after the first full day.
      const forecast =
        status === 'past'
          ? actual
          : status === 'future'
            ? null
            : Math.round((actual / Math.max(elapsedDays, 1)) * totalDays);
      return {
        metric,
        target,
        actual,
        gap: target === null ? null : actual - target,
        attainment: target ? actual / target : null,
        forecast,
        onTrack: target === null || forecast === null ? null : forecast >= target,
      };
    });
    return {
      period: p.key,
      periodType: p.type,
      start: p.start,
      end: p.end,
      status,
      elapsedDays: Math.round(elapsedDays * 10) / 10,
      totalDays,
      metrics,
    };
  });
}
