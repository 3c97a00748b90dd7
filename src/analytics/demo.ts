import type { SeedContext } from '../platform/feature.ts';
import { systemActor } from '../team/audit.ts';
import { addDays, todayIn } from './period.ts';
import {
  parseTargetPeriod,
  saveTargets,
  TARGET_METRICS,
  type TargetMetric,
  targetProgress,
} from './targets.ts';

const shiftMonth = (ym: string, n: number) => {
  const d = new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)) - 1 + n, 1));
  return d.toISOString().slice(0, 7);
};

/** Rounds a target the way a planner would: to a round number for its size. */
function roundTarget(metric: TargetMetric, x: number): number {
  if (metric === 'revenue') return Math.max(1_000_000, Math.round(x / 1_000_000) * 1_000_000);
  if (x >= 100) return Math.round(x / 10) * 10;
  return Math.max(1, Math.round(x));
}

/**
 * Monthly and quarterly targets for the demo, read from the story's own volumes: each past month's
 * plan sits near what happened (some met, some missed), and this month's and next month's plans
 * ask for a little more than the last three months' average.
 */
export async function seedAnalyticsDemo(ctx: SeedContext): Promise<void> {
  const now = ctx.clock.now();
  const thisMonth = todayIn(now).slice(0, 7);
  const first = shiftMonth(thisMonth, -12);
  const history = await targetProgress(
    ctx.db,
    1,
    parseTargetPeriod('from', first),
    parseTargetPeriod('to', shiftMonth(thisMonth, -1)),
    now,
  );
  const actual = (period: string, metric: TargetMetric) =>
    history.find((p) => p.period === period)?.metrics.find((m) => m.metric === metric)?.actual ?? 0;
  const items: { period: string; metric: TargetMetric; value: number }[] = [];
  for (const p of history) {
    for (const metric of TARGET_METRICS) {
      const a = actual(p.period, metric);
      if (a === 0 && metric !== 'revenue') continue;
      items.push({ period: p.period, metric, value: roundTarget(metric, a * (0.85 + ctx.random() * 0.35)) });
    }
  }
  const recent = [1, 2, 3].map((k) => shiftMonth(thisMonth, -k));
  for (const period of [thisMonth, shiftMonth(thisMonth, 1)]) {
    for (const metric of TARGET_METRICS) {
      const avg = recent.reduce((s, m) => s + actual(m, metric), 0) / recent.length;
      if (avg === 0) continue;
      items.push({ period, metric, value: roundTarget(metric, avg * 1.1) });
    }
  }
  // Quarterly plans: the sum of their months' plans, for the quarters the months cover.
  const quarters = new Map<string, { value: number; months: number }>();
  for (const x of items) {
    const q = `${x.period.slice(0, 4)}-Q${Math.ceil(Number(x.period.slice(5, 7)) / 3)}|${x.metric}`;
    const sum = quarters.get(q) ?? { value: 0, months: 0 };
    quarters.set(q, { value: sum.value + x.value, months: sum.months + 1 });
  }
  for (const [key, sum] of quarters) {
    const [period, metric] = key.split('|');
    if (sum.months === 3) items.push({ period, metric: metric as TargetMetric, value: sum.value });
  }
  if (items.length === 0) return;
  await ctx.db.transaction((tx) => saveTargets(tx, systemActor('demo'), items));
  ctx.log.info(
    { targets: items.length, from: first, to: addDays(`${thisMonth}-01`, 40).slice(0, 7) },
    'demo KPI targets set',
  );
}
