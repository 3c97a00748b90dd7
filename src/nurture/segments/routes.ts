import { z } from 'zod';
import type { App, AppContext } from '../../platform/http/context.ts';
import { pageQuery } from '../../platform/http/pagination.ts';
import { actorOf, principalOf } from '../../team/auth.ts';
import { FIELDS, OPS_BY_KIND, parseFilter } from './filter.ts';
import {
  addMembers,
  countAndSample,
  createSegment,
  deleteSegment,
  getSegment,
  listMatchingPeople,
  listSegments,
  removeMembers,
  segmentFilter,
  updateSegment,
} from './store.ts';

const tags = ['segments'];
const idParams = z.object({ id: z.uuid() });
const filterSchema = z
  .record(z.string(), z.unknown())
  .describe(
    'A filter: {and:[…]} | {or:[…]} | {not:…} | {field, op, value} | {activity:{…}} | {campaign:{…}} | {stageChange:{…}} | {segment:id}',
  );
const membersBody = z
  .object({
    personIds: z.array(z.uuid()).max(10_000).optional(),
    emails: z.array(z.string().max(254)).max(10_000).optional(),
    importId: z.uuid().optional(),
    filter: filterSchema.optional(),
  })
  .strict();

export async function segmentRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/segments',
    {
      config: { permission: 'segments:read' },
      schema: {
        tags,
        summary: 'Segments and static lists, newest first',
        querystring: z.object({ ...pageQuery, q: z.string().max(200).optional() }),
      },
    },
    async (request) => listSegments(ctx.db, principalOf(request).workspaceId, request.query),
  );

  app.get(
    '/api/v1/segments/fields',
    {
      config: { permission: 'segments:read' },
      schema: { tags, summary: 'The fields and operators the filter language offers (for editors)' },
    },
    async () => ({
      fields: Object.entries(FIELDS).map(([name, def]) => ({
        name,
        kind: def.kind,
        ops: OPS_BY_KIND[def.kind],
      })),
      customFieldOps: OPS_BY_KIND.custom,
    }),
  );

  app.post(
    '/api/v1/segments',
    {
      config: { permission: 'segments:write' },
      schema: {
        tags,
        summary: 'Create a dynamic segment (a saved filter) or a static list',
        body: z
          .object({
            name: z.string().trim().min(1).max(200),
            description: z.string().max(2000).nullable().optional(),
            kind: z.enum(['dynamic', 'static']).default('dynamic'),
            filter: filterSchema.optional(),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      const s = await ctx.db.transaction((tx) => createSegment(tx, actorOf(request), request.body));
      return reply.code(201).send(s);
    },
  );

  app.post(
    '/api/v1/segments/preview',
    {
      config: { permission: 'segments:read' },
      schema: {
        tags,
        summary: 'Count and a sample of the people a filter matches now (the editor’s live preview)',
        body: z
          .object({ filter: filterSchema, sampleSize: z.number().int().min(0).max(50).default(10) })
          .strict(),
      },
    },
    async (request) => {
      const filter = parseFilter(request.body.filter);
      return countAndSample(
        ctx.db,
        principalOf(request).workspaceId,
        filter,
        ctx.clock.now(),
        request.body.sampleSize,
      );
    },
  );

  app.post(
    '/api/v1/people/query',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['people'],
        summary: 'List the people matching a filter (the segment filter language), newest first',
        body: z
          .object({
            filter: filterSchema,
            limit: z.number().int().min(1).max(500).default(50),
            cursor: z.string().max(500).optional(),
          })
          .strict(),
      },
    },
    async (request) => {
      const { filter, limit, cursor } = request.body;
      return listMatchingPeople(
        ctx.db,
        principalOf(request).workspaceId,
        parseFilter(filter),
        ctx.clock.now(),
        { limit, cursor },
      );
    },
  );

  app.get(
    '/api/v1/segments/:id',
    { config: { permission: 'segments:read' }, schema: { tags, summary: 'One segment', params: idParams } },
    async (request) => getSegment(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.patch(
    '/api/v1/segments/:id',
    {
      config: { permission: 'segments:write' },
      schema: {
        tags,
        summary: 'Rename a segment or change its filter',
        params: idParams,
        body: z
          .object({
            name: z.string().trim().min(1).max(200).optional(),
            description: z.string().max(2000).nullable().optional(),
            filter: filterSchema.optional(),
          })
          .strict(),
      },
    },
    async (request) =>
      ctx.db.transaction((tx) => updateSegment(tx, actorOf(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/v1/segments/:id',
    {
      config: { permission: 'segments:write' },
      schema: { tags, summary: 'Delete a segment (409 while another segment uses it)', params: idParams },
    },
    async (request, reply) => {
      await ctx.db.transaction((tx) => deleteSegment(tx, actorOf(request), request.params.id));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/segments/:id/people',
    {
      config: { permission: 'segments:read' },
      schema: {
        tags,
        summary: 'The people in a segment now, newest first',
        params: idParams,
        querystring: z.object(pageQuery),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const filter = await segmentFilter(ctx.db, ws, request.params.id);
      return listMatchingPeople(ctx.db, ws, filter, ctx.clock.now(), request.query);
    },
  );

  app.get(
    '/api/v1/segments/:id/count',
    {
      config: { permission: 'segments:read' },
      schema: { tags, summary: 'How many people are in a segment now', params: idParams },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const filter = await segmentFilter(ctx.db, ws, request.params.id);
      const { count } = await countAndSample(ctx.db, ws, filter, ctx.clock.now(), 0);
      return { count };
    },
  );

  app.post(
    '/api/v1/segments/:id/members',
    {
      config: { permission: 'segments:write' },
      schema: {
        tags,
        summary: 'Add people to a static list (by id, e-mail, import, or everyone matching a filter now)',
        params: idParams,
        body: membersBody,
      },
    },
    async (request) => {
      const added = await ctx.db.transaction((tx) =>
        addMembers(tx, actorOf(request), request.params.id, request.body, ctx.clock.now()),
      );
      return { added };
    },
  );

  app.post(
    '/api/v1/segments/:id/members/remove',
    {
      config: { permission: 'segments:write' },
      schema: { tags, summary: 'Remove people from a static list', params: idParams, body: membersBody },
    },
    async (request) => {
      const removed = await ctx.db.transaction((tx) =>
        removeMembers(tx, actorOf(request), request.params.id, request.body, ctx.clock.now()),
      );
      return { removed };
    },
  );
}
