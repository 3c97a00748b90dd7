import { z } from 'zod';
import type { App, AppContext } from '../../../platform/http/context.ts';
import { pageQuery } from '../../../platform/http/pagination.ts';
import { actorOf, principalOf } from '../../../team/auth.ts';
import { createFormBody, type Form, patchFormBody } from './model.ts';
import {
  archiveForm,
  createForm,
  getForm,
  listForms,
  listSubmissions,
  submissionsOfPerson,
  updateForm,
} from './store.ts';

const idParams = z.object({ id: z.uuid() });

/** The form as the API shows it, with where it lives and the snippet to embed it. */
export function withLinks(form: Form, publicUrl: string) {
  return {
    ...form,
    hostedUrl: `${publicUrl}/f/${form.id}`,
    embedCode: `<script async src="${publicUrl}/f/${form.id}/embed.js"></script>`,
    trackerCode: `<script async src="${publicUrl}/t.js"></script>`,
  };
}

// What a PUT leaves out is reset, unlike a PATCH.
const REPLACE_DEFAULTS = {
  description: null,
  campaignId: null,
  channel: null,
  consentText: null,
  consentRequired: false,
  submitLabel: null,
  thankYouMessage: null,
  redirectUrl: null,
  minFillSeconds: 3,
};

export async function formsRoutes(app: App, ctx: AppContext) {
  const links = (form: Form) => withLinks(form, ctx.config.publicUrl);

  app.get(
    '/api/v1/forms',
    {
      config: { permission: 'forms:read' },
      schema: {
        tags: ['forms'],
        summary: 'Forms, newest first, with their submission counts',
        querystring: z.object(pageQuery),
      },
    },
    async (request) => {
      const page = await listForms(
        ctx.db,
        principalOf(request).workspaceId,
        request.query.limit,
        request.query.cursor,
      );
      return {
        items: page.items.map((f) => ({
          ...links(f),
          submissionCount: f.submissionCount,
          lastSubmissionAt: f.lastSubmissionAt,
          campaignName: f.campaignName,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/api/v1/forms',
    {
      config: { permission: 'forms:write' },
      schema: {
        tags: ['forms'],
        summary: 'Create a form: fields, consent text, campaign, thank-you message or redirect',
        body: createFormBody,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const form = await ctx.db.transaction((tx) => createForm(tx, actor, request.body));
      return reply.code(201).send(links(form));
    },
  );

  app.get(
    '/api/v1/forms/:id',
    {
      config: { permission: 'forms:read' },
      schema: { tags: ['forms'], summary: 'One form', params: idParams },
    },
    async (request) => links(await getForm(ctx.db, principalOf(request).workspaceId, request.params.id)),
  );

  app.patch(
    '/api/v1/forms/:id',
    {
      config: { permission: 'forms:write' },
      schema: { tags: ['forms'], summary: 'Change a form', params: idParams, body: patchFormBody },
    },
    async (request) => {
      const actor = actorOf(request);
      return links(await ctx.db.transaction((tx) => updateForm(tx, actor, request.params.id, request.body)));
    },
  );

  app.put(
    '/api/v1/forms/:id',
    {
      config: { permission: 'forms:write' },
      schema: { tags: ['forms'], summary: 'Replace a form', params: idParams, body: createFormBody },
    },
    async (request) => {
      const actor = actorOf(request);
      const whole = { ...REPLACE_DEFAULTS, ...request.body };
      return links(await ctx.db.transaction((tx) => updateForm(tx, actor, request.params.id, whole)));
    },
  );

  app.delete(
    '/api/v1/forms/:id',
    {
      config: { permission: 'forms:write' },
      schema: {
        tags: ['forms'],
        summary: 'Archive a form: its page stops answering; submissions and leads stay',
        params: idParams,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction((tx) => archiveForm(tx, actor, request.params.id));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/forms/:id/submissions',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['forms'],
        summary: 'A form’s submissions, newest first',
        params: idParams,
        querystring: z.object(pageQuery),
      },
    },
    async (request) =>
      listSubmissions(
        ctx.db,
        principalOf(request).workspaceId,
        request.params.id,
        request.query.limit,
        request.query.cursor,
      ),
  );

  app.get(
    '/api/v1/people/:id/form-submissions',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['forms'],
        summary:
          'Everything a person submitted through forms, with the answers and the consent text they saw',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      },
    },
    async (request) => ({
      items: await submissionsOfPerson(
        ctx.db,
        principalOf(request).workspaceId,
        request.params.id,
        request.query.limit,
      ),
    }),
  );
}
