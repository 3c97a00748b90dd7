import { z } from 'zod';
import { idParams } from '../../../people/schemas.ts';
import { invalid } from '../../../platform/errors.ts';
import type { App, AppContext } from '../../../platform/http/context.ts';
import { actorOf, principalOf } from '../../../team/auth.ts';
import { listDeliveries, replayDelivery, sendTestEvent } from './deliveries.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  KNOWN_EVENT_TYPES,
  listSubscriptions,
  rotateSecret,
  updateSubscription,
} from './subscriptions.ts';
import { checkWebhookUrl } from './url-guard.ts';

const eventType = z
  .string()
  .regex(
    /^(\*|[a-z][a-z_]*(\.[a-z_]+)+)$/,
    "an event type such as person.stage_changed, or '*' for every event",
  );
const events = z.array(eventType).min(1).max(50);
const fields = {
  description: z.string().trim().max(500).nullable().optional(),
  enabled: z.boolean().optional(),
};
const createBody = z.object({ url: z.string().trim().min(1).max(2000), events, ...fields }).strict();
const patchBody = z
  .object({ url: z.string().trim().min(1).max(2000).optional(), events: events.optional(), ...fields })
  .strict();
const deliveryParams = z.object({ id: z.uuid(), deliveryId: z.coerce.number().int().min(1) });

export async function webhookRoutes(app: App, ctx: AppContext) {
  /** SSRF guard: 422 naming `url` for anything but a public http(s) endpoint that is not this server. */
  const assertUrl = async (url: string) => {
    const check = await checkWebhookUrl(url, ctx.config.publicUrl, undefined, ctx.config.port);
    if (!check.ok) throw invalid('url', check.message);
  };

  app.get(
    '/api/v1/webhooks/event-types',
    {
      config: { permission: 'webhooks:manage' },
      schema: { tags: ['webhooks'], summary: 'Event types a subscription can name' },
    },
    async () => ({ items: KNOWN_EVENT_TYPES }),
  );

  app.post(
    '/api/v1/webhooks',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary:
          'Subscribe a URL to event types; the answer carries the signing secret, shown only this once',
        body: createBody,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await assertUrl(request.body.url);
      const s = await ctx.db.transaction((tx) => createSubscription(tx, actor, request.body));
      return reply.code(201).send(s);
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscriptions with their delivery counts of the last 24 hours',
      },
    },
    async (request) => ({
      items: await listSubscriptions(ctx.db, principalOf(request).workspaceId),
      nextCursor: null,
    }),
  );

  app.get(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:manage' },
      schema: { tags: ['webhooks'], summary: 'One subscription (without its secret)', params: idParams },
    },
    async (request) => getSubscription(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Edit or disable a subscription; disabling cancels its pending deliveries',
        params: idParams,
        body: patchBody,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (request.body.url !== undefined) await assertUrl(request.body.url);
      return ctx.db.transaction((tx) => updateSubscription(tx, actor, request.params.id, request.body));
    },
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:manage' },
      schema: { tags: ['webhooks'], summary: 'Delete a subscription and its delivery log', params: idParams },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction((tx) => deleteSubscription(tx, actor, request.params.id));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Replace the signing secret; the new one is shown only this once',
        params: idParams,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return ctx.db.transaction((tx) => rotateSecret(tx, actor, request.params.id));
    },
  );

  app.post(
    '/api/v1/webhooks/:id/test',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a webhook.test event to this subscription only',
        params: idParams,
      },
    },
    async (request, reply) => {
      const ws = principalOf(request).workspaceId;
      await getSubscription(ctx.db, ws, request.params.id);
      const d = await ctx.db.transaction((tx) => sendTestEvent(tx, ws, request.params.id, ctx.clock.now()));
      return reply.code(202).send(d);
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary:
          'The delivery log, newest first: status, attempts with status code and response time, next attempt',
        params: idParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(200).optional(),
          status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).optional(),
        }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      await getSubscription(ctx.db, ws, request.params.id);
      return listDeliveries(ctx.db, ws, request.params.id, request.query);
    },
  );

  app.post(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/replay',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivered or failed event again, as a new delivery',
        params: deliveryParams,
      },
    },
    async (request, reply) => {
      const ws = principalOf(request).workspaceId;
      const d = await ctx.db.transaction((tx) =>
        replayDelivery(tx, ws, request.params.id, request.params.deliveryId),
      );
      return reply.code(202).send(d);
    },
  );
}
