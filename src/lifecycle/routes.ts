import { z } from 'zod';
import { getPerson } from '../people/store.ts';
import { idParams, stageSchema } from '../people/schemas.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { actorOf, principalOf } from '../team/auth.ts';
import { nextStages, STAGES, TRANSITIONS } from './stages.ts';
import { changeStage, listTransitions } from './transitions.ts';

export async function lifecycleRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/people/:id/stage',
    {
      config: { permission: 'people:stage' },
      schema: {
        tags: ['lifecycle'],
        summary: 'Move a person to another stage of the waterfall (409 for an illegal move)',
        params: idParams,
        body: z.object({ stage: stageSchema, reason: z.string().max(1000).optional() }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const p = principalOf(request);
      return ctx.db.transaction(async (tx) => {
        await changeStage(tx, actor, {
          personId: request.params.id,
          to: request.body.stage,
          reason: request.body.reason,
          mover: p.role,
          actorType: p.kind,
          actorId: p.id,
        });
        return getPerson(tx, actor.workspaceId, request.params.id);
      });
    },
  );

  app.get(
    '/api/v1/people/:id/transitions',
    {
      config: { permission: 'people:read' },
      schema: { tags: ['lifecycle'], summary: "A person's stage history, oldest first", params: idParams },
    },
    async (request) => {
      const p = principalOf(request);
      const person = await getPerson(ctx.db, p.workspaceId, request.params.id);
      return {
        items: await listTransitions(ctx.db, p.workspaceId, request.params.id),
        nextStages: nextStages(person.stage, p.role),
      };
    },
  );

  app.get(
    '/api/v1/stages',
    { config: { permission: 'people:read' }, schema: { tags: ['lifecycle'], summary: 'The stages and the legal moves' } },
    async () => ({ stages: STAGES, transitions: TRANSITIONS }),
  );
}
