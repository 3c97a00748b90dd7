import { z } from 'zod';
import { idParams } from '../people/schemas.ts';
import { invalid, notFound } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { actorOf, principalOf } from '../team/auth.ts';
import { MODELS, type Model } from './attribution.ts';
import {
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
  listMembers,
  MEMBER_STATUSES,
  removeMember,
  updateCampaign,
  upsertMembers,
} from './campaigns.ts';
import { parsePeriod } from './period.ts';
import { attributionReport } from './roi.ts';

const day = z.iso.date();
const campaignFields = {
  name: z.string().trim().min(1).max(200),
  channel: z
    .string()
    .min(1)
    .max(100)
    .describe('A channel key (tradeshow, seminar, webinar, document_request, ads, …)'),
  description: z.string().max(5000).nullable().optional(),
  startsOn: day.nullable().optional(),
  endsOn: day.nullable().optional(),
  cost: z
    .number()
    .int()
    .min(0)
    .max(1e13)
    .optional()
    .describe('Total cost in whole units of the currency (yen)'),
  currency: z.string().length(3).optional(),
};
const memberItem = z
  .object({
    personId: z.uuid().optional(),
    email: z.string().max(254).optional(),
    status: z.enum(MEMBER_STATUSES).optional(),
    joinedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/** `model` and the period are checked by hand so a bad one is a 422 naming it. */
function parseModel(value: string | undefined): Model {
  const model = value ?? 'w_shaped';
  if (!(MODELS as readonly string[]).includes(model))
    throw invalid('model', `must be one of ${MODELS.join(', ')}`);
  return model as Model;
}
const roiQuery = z.object({
  model: z.string().max(40).optional().describe('first_touch, last_touch, linear or w_shaped (default)'),
  from: z
    .string()
    .max(40)
    .optional()
    .describe('Pipeline created / deals won from this day (YYYY-MM-DD); all time without from and to'),
  to: z.string().max(40).optional(),
});

export async function campaignRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/campaigns',
    {
      config: { permission: 'campaigns:read' },
      schema: {
        tags: ['campaigns'],
        summary: 'Campaigns with their member counts by status, newest first',
        querystring: z.object({ channel: z.string().max(100).optional(), q: z.string().max(200).optional() }),
      },
    },
    async (request) => ({
      items: await listCampaigns(ctx.db, principalOf(request).workspaceId, request.query),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/campaigns',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Create a campaign (name unique; 409 when taken)',
        body: z.object(campaignFields).strict(),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      return reply.code(201).send(await ctx.db.transaction((tx) => createCampaign(tx, actor, request.body)));
    },
  );

  app.get(
    '/api/v1/campaigns/roi',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['campaigns', 'analytics'],
        summary:
          'Every campaign’s reach, new Inquiries, MQLs, attributed pipeline and won revenue and ROI under a model, and the same by channel',
        querystring: roiQuery,
      },
    },
    async (request) => {
      const q = request.query;
      const model = parseModel(q.model);
      const period = q.from || q.to ? parsePeriod(q, ctx.clock.now()) : null;
      return attributionReport(ctx.db, principalOf(request).workspaceId, model, period);
    },
  );

  app.get(
    '/api/v1/campaigns/:id',
    {
      config: { permission: 'campaigns:read' },
      schema: { tags: ['campaigns'], summary: 'One campaign', params: idParams },
    },
    async (request) => getCampaign(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.patch(
    '/api/v1/campaigns/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Edit a campaign',
        params: idParams,
        body: z.object(campaignFields).partial().strict(),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return ctx.db.transaction((tx) => updateCampaign(tx, actor, request.params.id, request.body));
    },
  );

  app.delete(
    '/api/v1/campaigns/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: { tags: ['campaigns'], summary: 'Delete a campaign and its member list', params: idParams },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction((tx) => deleteCampaign(tx, actor, request.params.id));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/campaigns/:id/members',
    {
      config: { permission: 'campaigns:read' },
      schema: {
        tags: ['campaigns'],
        summary: 'The campaign’s members with their status, newest first',
        params: idParams,
        querystring: z.object({
          status: z.enum(MEMBER_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(500).optional(),
        }),
      },
    },
    async (request) =>
      listMembers(ctx.db, principalOf(request).workspaceId, request.params.id, request.query),
  );

  app.post(
    '/api/v1/campaigns/:id/members',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags: ['campaigns'],
        summary:
          'Add people (by personId or email; an unknown email becomes an Inquiry) or change their status: member, invited, registered, attended, no_show. ' +
          'Moving to registered or attended records the matching activity.',
        params: idParams,
        body: z.union([z.object({ items: z.array(memberItem).min(1).max(1000) }).strict(), memberItem]),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const body = request.body;
      const items = 'items' in body ? body.items : [body];
      return ctx.db.transaction((tx) => upsertMembers(tx, actor, request.params.id, items, ctx.clock.now()));
    },
  );

  app.delete(
    '/api/v1/campaigns/:id/members/:personId',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Remove a person from the campaign',
        params: z.object({ id: z.uuid(), personId: z.uuid() }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction((tx) => removeMember(tx, actor, request.params.id, request.params.personId));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/campaigns/:id/roi',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['campaigns', 'analytics'],
        summary:
          'The campaign’s ROI under an attribution model: cost, attributed pipeline and won revenue, ROI (null when the cost is zero)',
        params: idParams,
        querystring: roiQuery,
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const q = request.query;
      const model = parseModel(q.model);
      const period = q.from || q.to ? parsePeriod(q, ctx.clock.now()) : null;
      await getCampaign(ctx.db, ws, request.params.id);
      const report = await attributionReport(ctx.db, ws, model, period);
      const row = report.campaigns.find((c) => c.campaignId === request.params.id);
      if (!row) throw notFound('Campaign', request.params.id);
      return { model, from: report.from, to: report.to, ...row };
    },
  );
}
