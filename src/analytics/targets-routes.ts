import { z } from 'zod';
import { invalid } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { actorOf, principalOf } from '../team/auth.ts';
import { todayIn } from './period.ts';
import {
  listTargets,
  parseTargetPeriod,
  periodOfDay,
  saveTargets,
  TARGET_METRICS,
  type TargetPeriod,
  targetProgress,
} from './targets.ts';

const rangeQuery = z.object({
  periodType: z.enum(['month', 'quarter']).default('month'),
  from: z.string().max(20).optional().describe('First period, YYYY-MM or YYYY-Qn; default the current one'),
  to: z.string().max(20).optional().describe('Last period; default the same as from'),
});

function range(q: z.infer<typeof rangeQuery>, now: Date): [TargetPeriod, TargetPeriod] {
  const current = periodOfDay(q.periodType, todayIn(now));
  const from = q.from ? parseTargetPeriod('from', q.from) : current;
  const to = q.to ? parseTargetPeriod('to', q.to) : from;
  if (from.type !== q.periodType) throw invalid('from', `must be a ${q.periodType} like the periodType`);
  if (to.type !== q.periodType) throw invalid('to', `must be a ${q.periodType} like the periodType`);
  if (from.start > to.start) throw invalid('from', 'must be on or before to');
  if (Number(to.start.slice(0, 4)) - Number(from.start.slice(0, 4)) > 5)
    throw invalid('to', 'at most five years of periods');
  return [from, to];
}

export async function targetRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/targets',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        summary: 'KPI targets (entries per stage, won revenue) for months or quarters',
        querystring: rangeQuery,
      },
    },
    async (request) => {
      const [from, to] = range(request.query, ctx.clock.now());
      const items = await listTargets(ctx.db, principalOf(request).workspaceId, from, to);
      return { items: items.filter((x) => x.periodType === request.query.periodType), nextCursor: null };
    },
  );

  app.put(
    '/api/v1/targets',
    {
      config: { permission: 'targets:write' },
      schema: {
        tags: ['analytics'],
        summary:
          'Set targets: each item a period (YYYY-MM or YYYY-Qn), a metric (inquiry, mql, sal, sgl, sql, won, revenue) and a value (null removes it)',
        body: z
          .object({
            items: z
              .array(
                z
                  .object({
                    period: z.string().max(20),
                    metric: z.enum(TARGET_METRICS),
                    value: z.number().int().min(0).max(1e15).nullable(),
                  })
                  .strict(),
              )
              .min(1)
              .max(2000),
          })
          .strict(),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const saved = await ctx.db.transaction((tx) => saveTargets(tx, actor, request.body.items));
      return { saved };
    },
  );

  app.get(
    '/api/v1/targets/progress',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        summary:
          'Plan against actual per period and metric: target, actual, gap, attainment, and a run-rate forecast for the current period',
        querystring: rangeQuery,
      },
    },
    async (request) => {
      const now = ctx.clock.now();
      const [from, to] = range(request.query, now);
      return { periods: await targetProgress(ctx.db, principalOf(request).workspaceId, from, to, now) };
    },
  );
}
