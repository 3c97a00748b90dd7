import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { conflict, notFound } from '../../platform/errors.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { pageQuery } from '../../platform/http/pagination.ts';
import { recordAudit } from '../../team/audit.ts';
import { actorOf, principalOf } from '../../team/auth.ts';
import { recordDeliveryEvent } from './events.ts';
import {
  addSuppression,
  getOutboxMessage,
  listOutbox,
  listSuppressions,
  removeSuppression,
  retryMessage,
} from './outbox.ts';
import { TEMPLATE_VARIABLES, validateTemplateParts } from './render.ts';
import { previewTemplate, sendTestMail } from './send.ts';
import { getMailSettings, mailSettingsSchema, saveMailSettings } from './settings.ts';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  templateStats,
  updateTemplate,
} from './templates.ts';

const idParams = z.object({ id: z.uuid() });
const tags = ['emails'];

const templateFields = {
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['marketing', 'transactional']).optional(),
  subject: z.string().min(1).max(500),
  preheader: z.string().max(500).nullable().optional(),
  html: z.string().min(1).max(500_000),
  text: z.string().max(200_000).nullable().optional(),
  locale: z.enum(['ja', 'en']).optional(),
};

const deliveryEvent = z
  .object({
    type: z.enum(['bounce', 'complaint']),
    bounceType: z.enum(['hard', 'soft']).optional(),
    email: z.string().max(254).optional(),
    messageId: z.string().max(300).optional(),
    detail: z.string().max(2000).optional(),
  })
  .strict()
  .refine((e) => e.email || e.messageId, {
    message: 'name the address (email) or the message (messageId)',
    path: ['email'],
  });

export async function mailRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/email-templates',
    {
      config: { permission: 'emails:read' },
      schema: {
        tags,
        summary: 'E-mail templates, newest first',
        querystring: z.object({ ...pageQuery, q: z.string().max(200).optional() }),
      },
    },
    async (request) => listTemplates(ctx.db, principalOf(request).workspaceId, request.query),
  );

  app.get(
    '/api/v1/email-templates/variables',
    {
      config: { permission: 'emails:read' },
      schema: { tags, summary: 'The Liquid variables a template may use' },
    },
    async () => ({ variables: TEMPLATE_VARIABLES }),
  );

  app.post(
    '/api/v1/email-templates',
    {
      config: { permission: 'emails:write' },
      schema: {
        tags,
        summary: 'Create a template (Liquid checked at save: syntax and unknown variables are 422)',
        body: z.object(templateFields).strict(),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await ctx.db.transaction((tx) => createTemplate(tx, actorOf(request), request.body))),
  );

  app.post(
    '/api/v1/email-templates/preview',
    {
      config: { permission: 'emails:read' },
      schema: {
        tags,
        summary: 'Render an unsaved draft for a person (or sample values)',
        body: z
          .object({ ...templateFields, name: templateFields.name.optional(), personId: z.uuid().optional() })
          .strict(),
      },
    },
    async (request) => {
      const b = request.body;
      validateTemplateParts({ subject: b.subject, preheader: b.preheader, html: b.html, text: b.text });
      return previewTemplate(
        ctx.db,
        ctx,
        principalOf(request).workspaceId,
        {
          subject: b.subject,
          preheader: b.preheader ?? null,
          html: b.html,
          text: b.text || null,
          kind: b.kind ?? 'marketing',
          locale: b.locale ?? 'ja',
        },
        b.personId,
      );
    },
  );

  app.get(
    '/api/v1/email-templates/:id',
    { config: { permission: 'emails:read' }, schema: { tags, summary: 'One template', params: idParams } },
    async (request) => getTemplate(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.get(
    '/api/v1/email-templates/:id/stats',
    {
      config: { permission: 'emails:read' },
      schema: {
        tags,
        summary: 'Sent, delivered, opened, clicked, bounced and unsubscribed for a template',
        params: idParams,
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      await getTemplate(ctx.db, ws, request.params.id);
      return templateStats(ctx.db, ws, request.params.id);
    },
  );

  app.patch(
    '/api/v1/email-templates/:id',
    {
      config: { permission: 'emails:write' },
      schema: {
        tags,
        summary: 'Edit a template (a new version; messages already queued keep what they were rendered with)',
        params: idParams,
        body: z.object(templateFields).partial().strict(),
      },
    },
    async (request) =>
      ctx.db.transaction((tx) => updateTemplate(tx, actorOf(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/v1/email-templates/:id',
    {
      config: { permission: 'emails:write' },
      schema: { tags, summary: 'Delete a template', params: idParams },
    },
    async (request, reply) => {
      await ctx.db.transaction((tx) => deleteTemplate(tx, actorOf(request), request.params.id));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/email-templates/:id/preview',
    {
      config: { permission: 'emails:read' },
      schema: {
        tags,
        summary: 'Render a template for a chosen person (or sample values): subject, HTML and text',
        params: idParams,
        body: z.object({ personId: z.uuid().optional() }).strict().default({}),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const t = await getTemplate(ctx.db, ws, request.params.id);
      return previewTemplate(ctx.db, ctx, ws, t, request.body?.personId);
    },
  );

  app.post(
    '/api/v1/email-templates/:id/test',
    {
      config: { permission: 'emails:send' },
      schema: {
        tags,
        summary: 'Send a test of the template to an address, rendered for a chosen person (or sample values)',
        params: idParams,
        body: z.object({ to: z.email().max(254), personId: z.uuid().optional() }).strict(),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const key = (request.headers['idempotency-key'] as string | undefined) ?? randomUUID();
      const r = await ctx.db.transaction(async (tx) => {
        const t = await getTemplate(tx, actor.workspaceId, request.params.id);
        const out = await sendTestMail(tx, ctx, {
          workspaceId: actor.workspaceId,
          template: t,
          to: request.body.to,
          personId: request.body.personId,
          idempotencyKey: key,
        });
        await recordAudit(tx, actor, {
          action: 'email_template.test_sent',
          entityType: 'email_template',
          entityId: t.id,
          meta: { messageId: out.messageId },
        });
        return out;
      });
      return reply.code(202).send({ messageId: r.messageId, status: 'queued' });
    },
  );

  app.get(
    '/api/v1/outbox',
    {
      config: { permission: 'outbox:read' },
      schema: {
        tags,
        summary:
          'Messages handed to the mailer, newest first (the outbox when SMTP_URL is unset; the delivery log otherwise)',
        querystring: z.object({
          ...pageQuery,
          status: z.enum(['queued', 'sent', 'outbox', 'failed', 'suppressed']).optional(),
          personId: z.uuid().optional(),
          q: z.string().max(200).optional(),
        }),
      },
    },
    async (request) => {
      const items = await listOutbox(ctx.db, principalOf(request).workspaceId, request.query);
      return { ...items, smtp: Boolean(ctx.config.smtpUrl) };
    },
  );

  app.get(
    '/api/v1/outbox/:id',
    {
      config: { permission: 'outbox:read' },
      schema: { tags, summary: 'One message with its HTML, text and headers', params: idParams },
    },
    async (request) => {
      const m = await getOutboxMessage(ctx.db, principalOf(request).workspaceId, request.params.id);
      if (!m) throw notFound('Message', request.params.id);
      return m;
    },
  );

  app.post(
    '/api/v1/outbox/:id/retry',
    {
      config: { permission: 'emails:send' },
      schema: { tags, summary: 'Try a failed message again', params: idParams },
    },
    async (request) => {
      const actor = actorOf(request);
      const ok = await ctx.db.transaction(async (tx) => {
        const done = await retryMessage(tx, actor.workspaceId, request.params.id);
        if (done)
          await recordAudit(tx, actor, {
            action: 'mail.retried',
            entityType: 'mail_message',
            entityId: request.params.id,
          });
        return done;
      });
      if (!ok) throw conflict('not-failed', 'Only a failed message can be retried');
      return { status: 'queued' };
    },
  );

  app.get(
    '/api/v1/mail/settings',
    {
      config: { permission: 'emails:read' },
      schema: {
        tags,
        summary: 'Sender identity shown in every marketing mail, rate limit and consent policy',
      },
    },
    async (request) => ({
      ...(await getMailSettings(ctx.db, principalOf(request).workspaceId, ctx.config)),
      defaultFrom: ctx.config.mailFrom,
      smtp: Boolean(ctx.config.smtpUrl),
    }),
  );

  app.put(
    '/api/v1/mail/settings',
    {
      config: { permission: 'emails:write' },
      schema: {
        tags,
        summary: 'Change the sender identity, rate limit and consent policy',
        body: mailSettingsSchema.strict(),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await ctx.db.transaction(async (tx) => {
        const before = await getMailSettings(tx, actor.workspaceId, ctx.config);
        await saveMailSettings(tx, actor.workspaceId, request.body);
        await recordAudit(tx, actor, {
          action: 'mail.settings_changed',
          entityType: 'settings',
          entityId: 'mail',
          changes: { mail: [before, request.body] },
        });
      });
      return getMailSettings(ctx.db, actor.workspaceId, ctx.config);
    },
  );

  app.post(
    '/api/v1/email-events',
    {
      config: { permission: 'emails:write' },
      schema: {
        tags,
        summary:
          'Report bounces and complaints (one or {items:[…]}): a hard bounce or a complaint suppresses the address',
        body: deliveryEvent.or(z.object({ items: z.array(deliveryEvent).min(1).max(1000) }).strict()),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const items = 'items' in request.body ? request.body.items : [request.body];
      const results = await ctx.db.transaction(async (tx) => {
        const out = [];
        for (const e of items) out.push(await recordDeliveryEvent(tx, ws, e, ctx.clock.now()));
        return out;
      });
      return { items: results };
    },
  );

  app.get(
    '/api/v1/mail/suppressions',
    {
      config: { permission: 'emails:read' },
      schema: {
        tags,
        summary: 'Addresses that receive no marketing mail (bounced, complained, by hand)',
        querystring: z.object({ ...pageQuery }),
      },
    },
    async (request) => {
      return listSuppressions(ctx.db, principalOf(request).workspaceId, request.query);
    },
  );

  app.post(
    '/api/v1/mail/suppressions',
    {
      config: { permission: 'emails:write' },
      schema: {
        tags,
        summary: 'Suppress an address by hand',
        body: z
          .object({ email: z.string().min(3).max(254), detail: z.string().max(500).optional() })
          .strict(),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction(async (tx) => {
        await addSuppression(tx, actor.workspaceId, request.body.email, request.body.detail);
        await recordAudit(tx, actor, {
          action: 'mail.suppressed',
          entityType: 'mail_suppression',
          entityId: request.body.email.toLowerCase(),
        });
      });
      return reply.code(201).send({ email: request.body.email.trim().toLowerCase(), reason: 'manual' });
    },
  );

  app.delete(
    '/api/v1/mail/suppressions/:email',
    {
      config: { permission: 'emails:write' },
      schema: {
        tags,
        summary: 'Lift a suppression (the person must have consented again)',
        params: z.object({ email: z.string().min(3).max(254) }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const n = await ctx.db.transaction(async (tx) => {
        const removed = await removeSuppression(tx, actor.workspaceId, request.params.email);
        if (removed)
          await recordAudit(tx, actor, {
            action: 'mail.unsuppressed',
            entityType: 'mail_suppression',
            entityId: request.params.email.toLowerCase(),
          });
        return removed;
      });
      if (!n) throw notFound('Suppression', request.params.email);
      return reply.code(204).send();
    },
  );
}
