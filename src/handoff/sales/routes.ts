import { z } from 'zod';
import { createPersonBody, idParams } from '../../people/schemas.ts';
import { getPerson } from '../../people/store.ts';
import { invalid } from '../../platform/errors.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { pageQuery } from '../../platform/http/pagination.ts';
import { actorOf, type Principal, principalOf } from '../../team/auth.ts';
import { assignPeople } from './assign.ts';
import { acceptLead, rejectLead } from './decide.ts';
import { handoffSummary, type InboxScope, listInbox } from './inbox.ts';
import { buildHandoffPackage } from './package.ts';
import { createSgl } from './sgl.ts';

const scopeQuery = {
  scope: z
    .enum(['mine', 'all'])
    .optional()
    .describe(
      'mine: my leads, my team’s and unowned ones; all: everyone’s. Default: mine for a signed-in sales user, all otherwise',
    ),
  ownerId: z.uuid().optional().describe('Only this owner’s leads'),
};

/** Whose leads a caller sees by default: a sales user their own, their reports' and the unowned; everyone else all. */
async function scopeOf(
  ctx: AppContext,
  p: Principal,
  query: { scope?: 'mine' | 'all'; ownerId?: string },
): Promise<InboxScope> {
  if (query.ownerId) return { ownerIds: [query.ownerId], includeUnassigned: false };
  const scope = query.scope ?? (p.role === 'sales' && p.userId ? 'mine' : 'all');
  if (scope === 'all' || !p.userId) return { ownerIds: null, includeUnassigned: true };
  const team = await ctx.db.query<{ id: string }>(
    'SELECT id FROM users WHERE workspace_id = $1 AND manager_id = $2',
    [p.workspaceId, p.userId],
  );
  return { ownerIds: [p.userId, ...team.rows.map((r) => r.id)], includeUnassigned: true };
}

export async function salesRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/people/:id/handoff',
    {
      config: { permission: 'handoff:read' },
      schema: {
        tags: ['handoff'],
        summary:
          'The handoff package: how the lead was acquired, campaigns and events, content read, mails opened and clicked, ' +
          'the score explained, the account’s other people, the SLA clock and the latest assignment',
        params: idParams,
      },
    },
    async (request) =>
      buildHandoffPackage(ctx.db, principalOf(request).workspaceId, request.params.id, ctx.clock.now()),
  );

  app.post(
    '/api/v1/people/:id/accept',
    {
      config: { permission: 'handoff:act' },
      schema: {
        tags: ['handoff'],
        summary:
          'Accept an MQL (→ SAL). Only the owner, the owner’s manager or an admin; 409 from any stage but MQL',
        params: idParams,
        body: z.object({}).strict().optional(),
      },
    },
    async (request) => {
      const p = principalOf(request);
      return ctx.db.transaction((tx) => acceptLead(tx, p, request.params.id, ctx.clock.now()));
    },
  );

  app.post(
    '/api/v1/people/:id/reject',
    {
      config: { permission: 'handoff:act' },
      schema: {
        tags: ['handoff'],
        summary:
          'Reject an MQL with a reason from the configured list (code or label, e.g. 予算なし): → Recycled (back into nurturing), ' +
          'or → Disqualified with disqualify: true. 422 without a reason',
        params: idParams,
        body: z
          .object({
            reason: z
              .string()
              .max(200)
              .optional()
              .describe('Required: a configured rejection reason (code, Japanese or English label)'),
            note: z.string().max(2000).nullable().optional(),
            disqualify: z.boolean().optional(),
          })
          .strict(),
      },
    },
    async (request) => {
      const p = principalOf(request);
      return ctx.db.transaction((tx) => rejectLead(tx, p, request.params.id, request.body, ctx.clock.now()));
    },
  );

  app.post(
    '/api/v1/people/:id/assign',
    {
      config: { permission: 'assignment:write' },
      schema: {
        tags: ['handoff'],
        summary:
          'Assign an owner: the given one, or by the assignment rules (account owner, territory, round robin) when ownerId is omitted',
        params: idParams,
        body: z.object({ ownerId: z.uuid().nullable().optional() }).strict().optional(),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const [result] = await ctx.db.transaction(async (tx) => {
        await getPerson(tx, actor.workspaceId, request.params.id);
        return assignPeople(tx, ctx, actor, [request.params.id], {
          trigger: 'manual',
          ownerId: request.body?.ownerId,
          now: ctx.clock.now(),
        });
      });
      return { ...result, person: await getPerson(ctx.db, actor.workspaceId, request.params.id) };
    },
  );

  app.post(
    '/api/v1/handoff/assign',
    {
      config: { permission: 'assignment:write' },
      schema: {
        tags: ['handoff'],
        summary: 'Assign many people at once (up to 1000): to the given owner, or each by the rules',
        body: z
          .object({ personIds: z.array(z.uuid()).min(1).max(1000), ownerId: z.uuid().nullable().optional() })
          .strict(),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const ids = [...new Set(request.body.personIds)];
      const results = await ctx.db.transaction((tx) =>
        assignPeople(tx, ctx, actor, ids, {
          trigger: 'bulk',
          ownerId: request.body.ownerId,
          now: ctx.clock.now(),
        }),
      );
      const found = new Set(results.map((r) => r.personId));
      return { items: results, notFound: ids.filter((id) => !found.has(id)) };
    },
  );

  app.get(
    '/api/v1/handoff/inbox',
    {
      config: { permission: 'handoff:read' },
      schema: {
        tags: ['handoff'],
        summary: 'MQLs awaiting acceptance, oldest first, with their SLA clock',
        querystring: z.object({ ...pageQuery, ...scopeQuery }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { limit, cursor } = request.query;
      return listInbox(
        ctx.db,
        p.workspaceId,
        await scopeOf(ctx, p, request.query),
        { limit, cursor },
        ctx.clock.now(),
      );
    },
  );

  app.get(
    '/api/v1/handoff/summary',
    {
      config: { permission: 'handoff:read' },
      schema: {
        tags: ['handoff'],
        summary:
          'How many MQLs await acceptance, how many breached the SLA, and how long the oldest has waited (hours)',
        querystring: z.object(scopeQuery),
        response: {
          200: z.object({
            awaiting: z.number(),
            breached: z.number(),
            oldestWaitingHours: z.number().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return handoffSummary(ctx.db, p.workspaceId, await scopeOf(ctx, p, request.query), ctx.clock.now());
    },
  );

  app.post(
    '/api/v1/handoff/sgl',
    {
      config: { permission: 'handoff:act' },
      schema: {
        tags: ['handoff'],
        summary:
          'Create a sales-generated lead (outbound call, referral): the person goes straight to SGL, owned by ownerId or the creator',
        body: createPersonBody.extend({ note: z.string().max(2000).nullable().optional() }),
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      if (!request.body.ownerId && !p.userId)
        throw invalid('ownerId', 'required when an API key creates an SGL');
      const { person, created } = await ctx.db.transaction((tx) =>
        createSgl(tx, ctx, p, request.body, ctx.clock.now()),
      );
      return reply.code(created ? 201 : 200).send(person);
    },
  );

  app.get(
    '/api/v1/handoff/assignments',
    {
      config: { permission: 'handoff:read' },
      schema: {
        tags: ['handoff'],
        summary: 'The assignment history of one person, newest first: owner, rule and trigger of each',
        querystring: z.object({ personId: z.uuid() }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const r = await ctx.db.query<{
        id: number;
        owner_id: string | null;
        owner_name: string | null;
        previous_owner_id: string | null;
        rule_kind: string;
        rule_id: string | null;
        rule_name: string | null;
        trigger: string;
        at: Date;
      }>(
        `SELECT a.id, a.owner_id, u.name AS owner_name, a.previous_owner_id, a.rule_kind, a.rule_id, a.rule_name, a.trigger, a.at
         FROM handoff_assignments a LEFT JOIN users u ON u.id = a.owner_id
         WHERE a.workspace_id = $1 AND a.person_id = $2 ORDER BY a.at DESC, a.id DESC LIMIT 200`,
        [ws, request.query.personId],
      );
      return {
        items: r.rows.map((a) => ({
          id: a.id,
          ownerId: a.owner_id,
          ownerName: a.owner_name,
          previousOwnerId: a.previous_owner_id,
          ruleKind: a.rule_kind,
          ruleId: a.rule_id,
          ruleName: a.rule_name,
          trigger: a.trigger,
          at: a.at,
        })),
        nextCursor: null,
      };
    },
  );
}
