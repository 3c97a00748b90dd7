import { z } from 'zod';
import { idParams } from '../../people/schemas.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { AppError, type FieldError, notFound } from '../../platform/errors.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { pageQuery } from '../../platform/http/pagination.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { recordAudit } from '../../team/audit.ts';
import { actorOf, principalOf } from '../../team/auth.ts';
import { can, type Role } from '../../team/permissions.ts';
import { type Filter, parseFilter, resolveFilter, segmentFilter } from '../mail/api.ts';
import { enrolByFilter, enrolPeople } from './enrol.ts';
import { filterSchema, type Scenario, type ScenarioInput, scenarioInputSchema } from './model.ts';
import { listEnrolments, personScenarioHistory, scenarioStats } from './queries.ts';
import { createScenario, getScenario, listScenarios, setScenarioStatus, updateScenario } from './store.ts';
import { EVALUATE_QUEUE } from './triggers.ts';
import { checkFlow, checkReferences } from './validate.ts';

const tags = ['scenarios'];

function unprocessable(errors: FieldError[]): AppError {
  return new AppError(
    422,
    'validation',
    'Invalid scenario',
    `${errors[0].path}: ${errors[0].message}`,
    errors,
  );
}

/** Every problem of a scenario document at once, each naming the step and field; 422 when any. */
async function assertValid(q: Queryable, workspaceId: number, input: ScenarioInput): Promise<void> {
  const flow = checkFlow(input);
  if (flow.length) throw unprocessable(flow);
  const refs = await checkReferences(q, workspaceId, input);
  if (refs.length) throw unprocessable(refs);
}

/** What the API shows of a scenario: the document and status; the webhook-step secret only to those who may edit it. */
function present(s: Scenario, role: Role) {
  if (can(role, 'scenarios:write')) return s;
  const { webhookSecret: _secret, ...rest } = s;
  return rest;
}

const enrolBody = z
  .object({
    personIds: z.array(z.uuid()).min(1).max(10_000).optional(),
    segmentId: z.uuid().optional(),
    filter: filterSchema.optional(),
  })
  .strict()
  .describe('Exactly one of personIds, segmentId or filter');

export async function scenarioRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/scenarios',
    {
      config: { permission: 'scenarios:read' },
      schema: {
        tags,
        summary: 'Scenarios with how many people are in each now, newest first',
        querystring: z.object({ status: z.enum(['draft', 'active', 'paused']).optional() }),
      },
    },
    async (request) => ({
      items: await listScenarios(ctx.db, principalOf(request).workspaceId, request.query.status),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/scenarios',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary:
          'Create a scenario (as a draft): trigger, steps, goal, re-entry. 422 names the step and field of every problem',
        body: scenarioInputSchema,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await assertValid(ctx.db, actor.workspaceId, request.body);
      const s = await ctx.db.transaction((tx) => createScenario(tx, actor, request.body));
      return reply.code(201).send(present(s, principalOf(request).role));
    },
  );

  app.post(
    '/api/v1/scenarios/validate',
    {
      config: { permission: 'scenarios:read' },
      schema: {
        tags,
        summary: 'Check a scenario document without saving it: {valid, errors}',
        body: scenarioInputSchema,
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const flow = checkFlow(request.body);
      const errors = flow.length ? flow : await checkReferences(ctx.db, ws, request.body);
      return { valid: errors.length === 0, errors };
    },
  );

  app.get(
    '/api/v1/scenarios/:id',
    {
      config: { permission: 'scenarios:read' },
      schema: {
        tags,
        summary: 'A scenario with the number of people at each step and how each step went',
        params: idParams,
      },
    },
    async (request) => {
      const s = await getScenario(ctx.db, principalOf(request).workspaceId, request.params.id);
      return {
        ...present(s, principalOf(request).role),
        stats: await scenarioStats(
          ctx.db,
          s.id,
          s.steps.map((x) => x.id),
        ),
      };
    },
  );

  app.get(
    '/api/v1/scenarios/:id/stats',
    {
      config: { permission: 'scenarios:read' },
      schema: {
        tags,
        summary: 'Per-step counts: people at the step now, times taken, outcomes; totals by status',
        params: idParams,
      },
    },
    async (request) => {
      const s = await getScenario(ctx.db, principalOf(request).workspaceId, request.params.id);
      return scenarioStats(
        ctx.db,
        s.id,
        s.steps.map((x) => x.id),
      );
    },
  );

  app.put(
    '/api/v1/scenarios/:id',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary:
          'Replace the document (also while active: people keep their place; removing a step people are on is a 409)',
        params: idParams,
        body: scenarioInputSchema.extend({
          version: z.number().int().optional().describe('The version you edited: 409 if it changed since'),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { version, ...input } = request.body;
      await assertValid(ctx.db, actor.workspaceId, input);
      return present(
        await ctx.db.transaction((tx) => updateScenario(tx, actor, request.params.id, input, version)),
        principalOf(request).role,
      );
    },
  );

  app.patch(
    '/api/v1/scenarios/:id',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary:
          'Change some top-level fields (name, description, steps, goal…); the result is validated as a whole',
        params: idParams,
        body: scenarioInputSchema.partial().extend({ version: z.number().int().optional() }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const current = await getScenario(ctx.db, actor.workspaceId, request.params.id);
      const { version, ...patch } = request.body;
      const merged = scenarioInputSchema.safeParse({
        name: current.name,
        description: current.description,
        trigger: current.trigger,
        steps: current.steps,
        goal: current.goal,
        reentry: current.reentry,
        reentryDays: current.reentryDays,
        timeZone: current.timeZone,
        quietHours: current.quietHours,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      });
      if (!merged.success)
        throw unprocessable(merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      await assertValid(ctx.db, actor.workspaceId, merged.data);
      return present(
        await ctx.db.transaction((tx) => updateScenario(tx, actor, request.params.id, merged.data, version)),
        principalOf(request).role,
      );
    },
  );

  app.delete(
    '/api/v1/scenarios/:id',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary: 'Delete a scenario; one that ever had people is archived and everyone in it leaves',
        params: idParams,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await ctx.db.transaction(async (tx) => {
        const s = await getScenario(tx, actor.workspaceId, request.params.id, true);
        const used = await tx.query('SELECT 1 FROM scenario_enrolments WHERE scenario_id = $1 LIMIT 1', [
          s.id,
        ]);
        if (used.rows.length === 0) {
          await tx.query('DELETE FROM scenarios WHERE id = $1', [s.id]);
          await recordAudit(tx, actor, {
            action: 'scenario.deleted',
            entityType: 'scenario',
            entityId: s.id,
            meta: { name: s.name },
          });
          return;
        }
        await setScenarioStatus(tx, actor, s.id, 'archived');
        await tx.query(
          `UPDATE scenario_enrolments SET status = 'exited', exit_reason = 'scenario_deleted', finished_at = now(), next_step = NULL, next_run_at = NULL
           WHERE scenario_id = $1 AND status = 'active'`,
          [s.id],
        );
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/scenarios/:id/activate',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary:
          'Start the scenario: its trigger enrols people from now on (a segment trigger also enrols current members unless includeExisting is false)',
        params: idParams,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const current = await getScenario(ctx.db, actor.workspaceId, request.params.id);
      if (current.status === 'archived')
        throw new AppError(409, 'archived', 'Conflict', 'An archived scenario cannot be activated');
      await assertValid(ctx.db, actor.workspaceId, current);
      const s = await ctx.db.transaction(async (tx) => {
        const { before, after } = await setScenarioStatus(tx, actor, request.params.id, 'active');
        if (before.status !== 'active') {
          await enqueue(
            tx,
            EVALUATE_QUEUE,
            { scenarioId: after.id, activation: true },
            { key: `scn-eval:${after.id}:${after.activatedAt?.getTime() ?? 0}:${before.status}` },
          );
        }
        return after;
      });
      return present(s, principalOf(request).role);
    },
  );

  app.post(
    '/api/v1/scenarios/:id/pause',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary:
          'Pause: nobody new enters and everyone stays at their step until the scenario is activated again',
        params: idParams,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const current = await getScenario(ctx.db, actor.workspaceId, request.params.id);
      if (current.status !== 'active')
        throw new AppError(409, 'not-active', 'Conflict', `The scenario is ${current.status}, not active`);
      return present(
        (await ctx.db.transaction((tx) => setScenarioStatus(tx, actor, request.params.id, 'paused'))).after,
        principalOf(request).role,
      );
    },
  );

  app.post(
    '/api/v1/scenarios/:id/enrol',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary:
          'Enrol people by hand: a list of ids, everyone in a segment, or everyone matching a filter (set-based); re-entry rules apply',
        params: idParams,
        body: enrolBody,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const ws = actor.workspaceId;
      const s = await getScenario(ctx.db, ws, request.params.id);
      if (s.status !== 'active' && s.status !== 'paused') {
        throw new AppError(
          409,
          'not-active',
          'Conflict',
          `Activate the scenario before enrolling people (it is ${s.status})`,
        );
      }
      const given = [request.body.personIds, request.body.segmentId, request.body.filter].filter(
        (x) => x !== undefined,
      ).length;
      if (given !== 1)
        throw unprocessable([
          { path: 'personIds', message: 'give exactly one of personIds, segmentId or filter' },
        ]);
      const now = ctx.clock.now();
      const enrolled = await ctx.db.transaction(async (tx) => {
        let n: number;
        if (request.body.personIds) {
          n = await enrolPeople(
            tx,
            ws,
            s,
            { sql: 'SELECT unnest($10::uuid[]) AS person_id', params: [request.body.personIds] },
            { source: 'manual', now },
          );
        } else {
          let filter: Filter;
          if (request.body.segmentId) {
            const seg = await tx.query('SELECT 1 FROM segments WHERE workspace_id = $1 AND id = $2', [
              ws,
              request.body.segmentId,
            ]);
            if (seg.rows.length === 0)
              throw unprocessable([
                { path: 'segmentId', message: `unknown segment ${request.body.segmentId}` },
              ]);
            filter = await segmentFilter(tx, ws, request.body.segmentId);
          } else filter = await resolveFilter(tx, ws, parseFilter(request.body.filter, 'filter'));
          n = await enrolByFilter(tx, ws, s, filter, { source: 'manual', now });
        }
        await recordAudit(tx, actor, {
          action: 'scenario.enrolled',
          entityType: 'scenario',
          entityId: s.id,
          meta: { enrolled: n },
        });
        return n;
      });
      return { enrolled };
    },
  );

  app.get(
    '/api/v1/scenarios/:id/enrolments',
    {
      config: { permission: 'scenarios:read' },
      schema: {
        tags,
        summary:
          'The people in a scenario (each pass), newest first; filter by status or the step they are at',
        params: idParams,
        querystring: z.object({
          ...pageQuery,
          status: z.enum(['active', 'completed', 'goal', 'exited', 'failed']).optional(),
          step: z.string().max(40).optional(),
        }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      await getScenario(ctx.db, ws, request.params.id);
      return listEnrolments(ctx.db, ws, request.params.id, request.query);
    },
  );

  app.post(
    '/api/v1/scenarios/:id/enrolments/:enrolmentId/exit',
    {
      config: { permission: 'scenarios:write' },
      schema: {
        tags,
        summary: 'Take one person out of a scenario now',
        params: z.object({ id: z.uuid(), enrolmentId: z.coerce.number().int().min(1) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const r = await ctx.db.transaction(async (tx) => {
        const u = await tx.query(
          `UPDATE scenario_enrolments SET status = 'exited', exit_reason = 'manual', finished_at = now(), next_step = NULL, next_run_at = NULL
           WHERE id = $1 AND scenario_id = $2 AND workspace_id = $3 AND status = 'active'`,
          [request.params.enrolmentId, request.params.id, actor.workspaceId],
        );
        if (u.affectedRows > 0) {
          await recordAudit(tx, actor, {
            action: 'scenario.person_exited',
            entityType: 'scenario',
            entityId: request.params.id,
            meta: { enrolmentId: request.params.enrolmentId },
          });
        }
        return u.affectedRows;
      });
      if (r === 0) throw notFound('Active enrolment', String(request.params.enrolmentId));
      return { exited: true };
    },
  );

  app.get(
    '/api/v1/people/:id/scenarios',
    {
      config: { permission: 'people:read' },
      schema: {
        tags,
        summary: "A person's scenario history: every pass with each step taken and its outcome",
        params: idParams,
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const p = await ctx.db.query('SELECT 1 FROM people WHERE workspace_id = $1 AND id = $2', [
        ws,
        request.params.id,
      ]);
      if (p.rows.length === 0) throw notFound('Person', request.params.id);
      return { items: await personScenarioHistory(ctx.db, ws, request.params.id) };
    },
  );
}
