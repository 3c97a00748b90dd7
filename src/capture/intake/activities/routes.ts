import type { App, AppContext } from '../../../platform/http/context.ts';
import { actorOf } from '../../../team/auth.ts';
import { ingestActivities } from './ingest.ts';
import { activitiesBodySchema, MAX_BATCH, parseActivities } from './parse.ts';

export async function activitiesRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/activities',
    {
      config: { permission: 'activities:write' },
      // 10,000 activities with properties are several megabytes.
      bodyLimit: 32 * 1024 * 1024,
      // Validated in the handler so that errors name the item (`items[3].type`) with a 422.
      attachValidation: true,
      schema: {
        tags: ['activities'],
        summary: `Record one activity, or a batch {"items": […]} of up to ${MAX_BATCH}; unknown e-mails become Inquiries`,
        description:
          'Set-based ingest. An optional client `id` makes each activity idempotent; `occurredAt` may lie in the past ' +
          '(history imports); `campaignId` makes the person a member of the campaign. Scoring is refreshed in the background.',
        body: activitiesBodySchema,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { batch, drafts } = parseActivities(request.body, ctx.clock.now());
      const result = await ctx.db.transaction((tx) => ingestActivities(tx, actor, drafts, batch));
      if (batch) return reply.code(result.inserted > 0 ? 201 : 200).send(result);
      const d = drafts[0];
      const item = result.items[0];
      let id = result.activityId;
      if (!id && d.clientId) {
        const r = await ctx.db.query<{ id: number }>(
          'SELECT id FROM activities WHERE workspace_id = $1 AND client_id = $2',
          [actor.workspaceId, d.clientId],
        );
        id = r.rows[0] ? String(r.rows[0].id) : undefined;
      }
      return reply.code(item.created ? 201 : 200).send({
        id,
        clientId: d.clientId,
        personId: item.personId,
        type: d.type,
        occurredAt: d.occurredAt,
        properties: d.properties,
        campaignId: d.campaignId,
        created: item.created,
        personCreated: result.peopleCreated > 0,
      });
    },
  );
}
