import { z } from 'zod';
import { idParams } from '../../people/schemas.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { recordAudit } from '../../team/audit.ts';
import { actorOf, principalOf } from '../../team/auth.ts';
import {
  getPipelineSettings,
  pipelineSettingsSchema,
  SALES_STAGES,
  savePipelineSettings,
} from './settings.ts';
import {
  createOpportunity,
  deleteOpportunity,
  getOpportunity,
  listOpportunities,
  pipelineSummary,
  updateOpportunity,
} from './store.ts';

const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as JPY');
const amount = z.number().int('a whole amount in the currency').min(0).max(1e15);
const text = (max: number) => z.string().trim().max(max);
const csv = <T extends z.ZodTypeAny>(item: T) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(10))
    .optional();

const createBody = z
  .object({
    personId: z.uuid(),
    name: text(200).min(1),
    amount,
    currency: currency.optional(),
    expectedCloseDate: z.iso.date().nullable().optional(),
    stage: z
      .enum(SALES_STAGES)
      .optional()
      .describe('Sales stage: qualification (初回商談), proposal (提案), quote (見積), negotiation (交渉)'),
    ownerId: z.uuid().nullable().optional(),
    externalId: text(200).min(1).nullable().optional().describe('The id of this deal in your SFA'),
    description: text(5000).nullable().optional(),
    contactIds: z
      .array(z.uuid())
      .max(50)
      .optional()
      .describe('Other people on the deal (the buying committee); they move with it'),
  })
  .strict();

const patchBody = z
  .object({
    status: z.enum(['open', 'won', 'lost']).optional(),
    lossReason: text(500).nullable().optional(),
    amount: amount.optional(),
    name: text(200).min(1).optional(),
    currency: currency.optional(),
    stage: z.enum(SALES_STAGES).optional(),
    expectedCloseDate: z.iso.date().nullable().optional(),
    ownerId: z.uuid().nullable().optional(),
    externalId: text(200).min(1).nullable().optional(),
    description: text(5000).nullable().optional(),
    closedAt: z.iso.datetime({ offset: true }).optional().describe('When the deal closed (default: now)'),
    contactIds: z.array(z.uuid()).max(50).optional().describe('Replaces the other people on the deal'),
  })
  .strict();

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  status: csv(z.enum(['open', 'won', 'lost'])),
  stage: csv(z.enum(SALES_STAGES)),
  ownerId: z.uuid().optional(),
  personId: z.uuid().optional(),
  accountId: z.uuid().optional(),
  q: z.string().max(200).optional(),
});

export async function opportunityRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/opportunities',
    {
      config: { permission: 'opportunities:write' },
      schema: {
        tags: ['opportunities'],
        summary: 'Open an opportunity (商談) on a person and its account; the person moves to SQL',
        body: createBody,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const o = await ctx.db.transaction((tx) => createOpportunity(tx, actor, request.body));
      return reply.code(201).send(o);
    },
  );

  app.get(
    '/api/v1/opportunities',
    {
      config: { permission: 'opportunities:read' },
      schema: {
        tags: ['opportunities'],
        summary: 'List opportunities, newest first, by status, sales stage, owner, person or account',
        querystring: listQuery,
      },
    },
    async (request) => listOpportunities(ctx.db, principalOf(request).workspaceId, request.query),
  );

  app.get(
    '/api/v1/opportunities/pipeline',
    {
      config: { permission: 'opportunities:read' },
      schema: {
        tags: ['opportunities'],
        summary:
          'The pipeline: open deals per sales stage, and won/lost deals closed in the period, with counts and sums per currency',
        querystring: z.object({
          ownerId: z.uuid().optional(),
          closedFrom: z.iso.date().optional(),
          closedTo: z.iso.date().optional(),
        }),
      },
    },
    async (request) => pipelineSummary(ctx.db, principalOf(request).workspaceId, request.query),
  );

  app.get(
    '/api/v1/opportunities/:id',
    {
      config: { permission: 'opportunities:read' },
      schema: { tags: ['opportunities'], summary: 'One opportunity', params: idParams },
    },
    async (request) => getOpportunity(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.patch(
    '/api/v1/opportunities/:id',
    {
      config: { permission: 'opportunities:write' },
      schema: {
        tags: ['opportunities'],
        summary:
          'Edit, close or reopen an opportunity. Closing moves its person to Won or Lost; closing a closed one is 409; lost needs lossReason (422)',
        params: idParams,
        body: patchBody,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { closedAt, ...rest } = request.body;
      return ctx.db.transaction((tx) =>
        updateOpportunity(
          tx,
          actor,
          request.params.id,
          { ...rest, ...(closedAt ? { closedAt: new Date(closedAt) } : {}) },
          { now: ctx.clock.now() },
        ),
      );
    },
  );

  app.delete(
    '/api/v1/opportunities/:id',
    {
      config: { permission: 'opportunities:write' },
      schema: {
        tags: ['opportunities'],
        summary: 'Delete an opportunity (the person keeps their stage)',
        params: idParams,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction((tx) => deleteOpportunity(tx, actor, request.params.id));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/pipeline/settings',
    {
      config: { permission: 'opportunities:read' },
      schema: {
        tags: ['opportunities'],
        summary: 'Pipeline settings: loss reasons, days before a Lost person is recycled',
      },
    },
    async (request) => getPipelineSettings(ctx.db, principalOf(request).workspaceId),
  );

  app.put(
    '/api/v1/pipeline/settings',
    {
      config: { permission: 'settings:write' },
      schema: {
        tags: ['opportunities'],
        summary: 'Save the pipeline settings',
        body: pipelineSettingsSchema,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return ctx.db.transaction(async (tx) => {
        const saved = await savePipelineSettings(tx, actor.workspaceId, request.body);
        await recordAudit(tx, actor, {
          action: 'settings.pipeline_updated',
          entityType: 'settings',
          entityId: 'pipeline',
          meta: saved,
        });
        return saved;
      });
    },
  );
}
