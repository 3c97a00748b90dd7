import { z } from 'zod';
import { actorOf, principalOf } from '../team/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { notFound } from '../platform/errors.ts';
import { ACCOUNT_COLUMNS, type AccountRow, toAccount } from './accounts.ts';
import { listPeople } from './list.ts';
import { createPersonBody, idParams, listPeopleQuery, patchPersonBody } from './schemas.ts';
import { deletePerson, getPerson, updatePerson, upsertPerson } from './store.ts';
import { personTimeline } from './timeline.ts';

export async function peopleRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/people',
    {
      config: { permission: 'people:write' },
      schema: {
        tags: ['people'],
        summary: 'Create a person, or update the one with the same e-mail (upsert; empty values never blank a field)',
        body: createPersonBody,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { person, created } = await ctx.db.transaction((tx) => upsertPerson(tx, actor, request.body));
      return reply.code(created ? 201 : 200).send(person);
    },
  );

  app.get(
    '/api/v1/people',
    {
      config: { permission: 'people:read' },
      schema: { tags: ['people'], summary: 'List people with filters and a stable sort', querystring: listPeopleQuery },
    },
    async (request) => {
      const q = request.query;
      return listPeople(ctx.db, principalOf(request).workspaceId, { ...q, unowned: q.unowned === 'true' });
    },
  );

  app.get(
    '/api/v1/people/:id',
    { config: { permission: 'people:read' }, schema: { tags: ['people'], summary: 'One person', params: idParams } },
    async (request) => getPerson(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.patch(
    '/api/v1/people/:id',
    {
      config: { permission: 'people:write' },
      schema: { tags: ['people'], summary: 'Edit a person (null blanks a field)', params: idParams, body: patchPersonBody },
    },
    async (request) => {
      const actor = actorOf(request);
      return ctx.db.transaction((tx) => updatePerson(tx, actor, request.params.id, request.body));
    },
  );

  app.delete(
    '/api/v1/people/:id',
    {
      config: { permission: 'people:delete' },
      schema: { tags: ['people'], summary: 'Erase a person and all their data (APPI / GDPR)', params: idParams },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction((tx) => deletePerson(tx, actor, request.params.id));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/people/:id/timeline',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['people'],
        summary: "The person's activities and stage changes, newest first",
        params: idParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().max(500).optional(),
        }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      await getPerson(ctx.db, ws, request.params.id);
      return personTimeline(ctx.db, ws, request.params.id, request.query.limit, request.query.cursor);
    },
  );

  app.get(
    '/api/v1/accounts',
    {
      config: { permission: 'accounts:read' },
      schema: {
        tags: ['accounts'],
        summary: 'Accounts (companies) with their number of people',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(500).optional(),
          q: z.string().max(200).optional(),
        }),
      },
    },
    async (request) => {
      const { limit, cursor, q } = request.query;
      const after = cursor ? JSON.parse(Buffer.from(cursor, 'base64url').toString()) : null;
      const r = await ctx.db.query<AccountRow & { people_count: number }>(
        `SELECT ${ACCOUNT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')},
                (SELECT count(*) FROM people p WHERE p.account_id = a.id) AS people_count
         FROM accounts a WHERE a.workspace_id = $1
           AND ($2::text IS NULL OR a.name_normalized LIKE '%' || lower($2) || '%' OR a.domain LIKE '%' || lower($2) || '%')
           AND ($3::text IS NULL OR (a.name, a.id) > ($3, $4::uuid))
         ORDER BY a.name, a.id LIMIT $5`,
        [principalOf(request).workspaceId, q?.normalize('NFKC') ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      );
      const items = r.rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map((row) => ({ ...toAccount(row), peopleCount: row.people_count })),
        nextCursor: r.rows.length > limit ? Buffer.from(JSON.stringify([last.name, last.id])).toString('base64url') : null,
      };
    },
  );

  app.get(
    '/api/v1/accounts/:id',
    {
      config: { permission: 'accounts:read' },
      schema: { tags: ['accounts'], summary: 'An account with its people and their stages', params: idParams },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const r = await ctx.db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE workspace_id = $1 AND id = $2`, [
        ws,
        request.params.id,
      ]);
      if (!r.rows[0]) throw notFound('Account', request.params.id);
      const people = await listPeople(ctx.db, ws, { accountId: request.params.id, limit: 500, sort: 'score' });
      const stages = await ctx.db.query<{ stage: string; count: number }>(
        'SELECT stage, count(*) AS count FROM people WHERE workspace_id = $1 AND account_id = $2 GROUP BY stage',
        [ws, request.params.id],
      );
      return {
        ...toAccount(r.rows[0]),
        people: people.items,
        stageCounts: Object.fromEntries(stages.rows.map((s) => [s.stage, s.count])),
      };
    },
  );
}
