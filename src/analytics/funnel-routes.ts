import { z } from 'zod';
import { invalid } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { principalOf } from '../team/auth.ts';
import { funnelCohorts } from './cohorts.ts';
import { funnelPeople } from './drilldown.ts';
import { funnelReport, funnelTrend, stageAging } from './funnel.ts';
import { WATERFALL, type WaterfallStage } from './model.ts';
import { parseBreakdown, parsePeriod, todayIn } from './period.ts';

// Dates and keys are checked by hand so that a bad one is a 422 naming the parameter.
const periodQuery = {
  from: z
    .string()
    .max(40)
    .optional()
    .describe('First day, YYYY-MM-DD (report time zone Asia/Tokyo); default a year before `to`'),
  to: z.string().max(40).optional().describe('Last day, inclusive; default today'),
};

export async function funnelRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/funnel',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        summary:
          'The waterfall for a period: per stage, entries in the period, the share that reached the next stage, median days to it; ' +
          'optionally broken down by channel, source, campaign, owner, industry, employeeSize or prefecture. mode=cohort answers the cohorts.',
        querystring: z.object({
          ...periodQuery,
          by: z.string().max(40).optional(),
          mode: z.string().max(20).optional().describe('waterfall (default) or cohort'),
        }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const now = ctx.clock.now();
      const period = parsePeriod(request.query, now);
      const by = parseBreakdown(request.query.by);
      const mode = request.query.mode ?? 'waterfall';
      if (mode === 'cohort')
        return {
          from: period.from,
          to: period.to,
          cohorts: await funnelCohorts(ctx.db, ws, period, todayIn(now).slice(0, 7)),
        };
      if (mode !== 'waterfall') throw invalid('mode', 'must be waterfall or cohort');
      return funnelReport(ctx.db, ws, period, by);
    },
  );

  app.get(
    '/api/v1/funnel/trend',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        summary: 'The waterfall month by month over a period',
        querystring: z.object(periodQuery),
      },
    },
    async (request) => {
      const period = parsePeriod(request.query, ctx.clock.now());
      return {
        from: period.from,
        to: period.to,
        months: await funnelTrend(ctx.db, principalOf(request).workspaceId, period),
      };
    },
  );

  app.get(
    '/api/v1/funnel/cohorts',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        summary:
          'Cohorts: people who first became an Inquiry in each month, where they are now, and who reached MQL, SQL and Won month by month',
        querystring: z.object(periodQuery),
      },
    },
    async (request) => {
      const now = ctx.clock.now();
      const period = parsePeriod(request.query, now);
      return {
        from: period.from,
        to: period.to,
        cohorts: await funnelCohorts(
          ctx.db,
          principalOf(request).workspaceId,
          period,
          todayIn(now).slice(0, 7),
        ),
      };
    },
  );

  app.get(
    '/api/v1/funnel/aging',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        summary:
          'Where leads stall now: people in MQL, SAL, SGL and SQL, median days in the stage, how many over 14 and 30 days',
      },
    },
    async (request) => ({
      stages: await stageAging(ctx.db, principalOf(request).workspaceId, ctx.clock.now()),
    }),
  );

  app.get(
    '/api/v1/funnel/people',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['analytics'],
        summary:
          'The people behind a funnel number: entries into a stage in the period, optionally of one breakdown value and converted or not',
        querystring: z.object({
          ...periodQuery,
          stage: z.string().max(20),
          by: z.string().max(40).optional(),
          value: z.string().max(300).optional().describe('The breakdown value; empty for people without one'),
          outcome: z.enum(['converted', 'open']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          cursor: z.string().max(500).optional(),
        }),
      },
    },
    async (request) => {
      const query = request.query;
      if (!(WATERFALL as readonly string[]).includes(query.stage))
        throw invalid('stage', `must be one of ${WATERFALL.join(', ')}`);
      const by = parseBreakdown(query.by);
      if (query.value !== undefined && !by) throw invalid('by', 'is required with value');
      return funnelPeople(ctx.db, principalOf(request).workspaceId, {
        stage: query.stage as WaterfallStage,
        period: parsePeriod(query, ctx.clock.now()),
        by,
        value: query.value === undefined ? undefined : query.value === '' ? null : query.value,
        outcome: query.outcome,
        limit: query.limit,
        cursor: query.cursor,
      });
    },
  );
}
