import { z } from 'zod';
import { mergePeople } from '../../people/merge-people.ts';
import { notFound } from '../../platform/errors.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { actorOf, principalOf } from '../../team/auth.ts';

const idParams = z.object({ id: z.uuid() });

interface AccountActivityRow {
  id: number;
  type: string;
  occurred_at: Date;
  /** The exact timestamp (microseconds; a Date keeps milliseconds), for the cursor. */
  at_exact: string;
  properties: Record<string, unknown>;
  campaign_id: string | null;
  campaign_name: string | null;
  person_id: string;
  email: string;
  last_name: string | null;
  first_name: string | null;
  stage: string;
}

/** Merging two people by hand, and the account page's activity feed. */
export async function peopleMergeRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/people/:id/merge',
    {
      config: { permission: 'people:merge' },
      schema: {
        tags: ['people'],
        summary:
          'Merge another person into this one: blanks filled, timeline, stage history, campaigns and deals moved, the other deleted',
        params: idParams,
        body: z.object({ otherId: z.uuid() }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return ctx.db.transaction((tx) => mergePeople(tx, actor, request.params.id, request.body.otherId));
    },
  );

  app.get(
    '/api/v1/accounts/:id/activity',
    {
      config: { permission: 'accounts:read' },
      schema: {
        tags: ['accounts'],
        summary: "The account's activity: every activity of its people, newest first",
        params: idParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(200).optional(),
          type: z.string().max(50).optional(),
        }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const { limit, cursor, type } = request.query;
      const exists = await ctx.db.query('SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = $2', [
        ws,
        request.params.id,
      ]);
      if (exists.rows.length === 0) throw notFound('Account', request.params.id);
      let after: [string, number] | null = null;
      if (cursor) {
        try {
          after = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, number];
        } catch {
          after = null;
        }
      }
      // people_account_idx, then activities_person_time_idx per person.
      const r = await ctx.db.query<AccountActivityRow>(
        `SELECT a.id, a.type, a.occurred_at, a.occurred_at::text AS at_exact, a.properties, a.campaign_id, c.name AS campaign_name,
                p.id AS person_id, p.email, p.last_name, p.first_name, p.stage
         FROM people p
         JOIN activities a ON a.person_id = p.id
         LEFT JOIN campaigns c ON c.id = a.campaign_id
         WHERE p.workspace_id = $1 AND p.account_id = $2
           AND ($3::text IS NULL OR a.type = $3)
           AND ($4::timestamptz IS NULL OR (a.occurred_at, a.id) < ($4::timestamptz, $5::bigint))
         ORDER BY a.occurred_at DESC, a.id DESC LIMIT $6`,
        [ws, request.params.id, type ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      );
      const items = r.rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map((x) => ({
          id: x.id,
          type: x.type,
          occurredAt: x.occurred_at,
          properties: x.properties,
          campaign: x.campaign_id ? { id: x.campaign_id, name: x.campaign_name } : null,
          person: {
            id: x.person_id,
            email: x.email,
            lastName: x.last_name,
            firstName: x.first_name,
            stage: x.stage,
          },
        })),
        nextCursor:
          r.rows.length > limit
            ? Buffer.from(JSON.stringify([last.at_exact, last.id])).toString('base64url')
            : null,
      };
    },
  );
}
