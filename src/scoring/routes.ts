import { z } from 'zod';
import { idParams } from '../people/schemas.ts';
import { AppError } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { actorOf, principalOf } from '../team/auth.ts';
import { backtestRuleSet } from './backtest.ts';
import { explainScore, scoreHistory } from './explain.ts';
import { getRun, latestRun } from './rescore.ts';
import type { RuleSet } from './rule-set.ts';
import { activeRuleSet, defaultDraft, listRuleSetVersions, ruleSetVersion, saveRuleSet, startRescore } from './store.ts';
import { checkRuleSet } from './validate.ts';

const ruleSetDocument = z
  .record(z.string(), z.unknown())
  .describe(
    'The rule set: {version, halfLifeDays, fitGrades: {A, B, C}, mql, rules: [{id, name, kind: fit|engagement, when, points, maxCount?, perPeriod?, halfLifeDays?, enabled?}]}. See docs/scoring.md.',
  );

/** Validates a rule set document; 422 with every problem, each path naming the rule id and field. */
function parseDocument(input: unknown, prefix = '') {
  const r = checkRuleSet(input);
  if (r.ok) return r.value;
  const errors = r.errors.map((e) => ({ path: prefix + e.path, message: e.message }));
  throw new AppError(422, 'validation', 'Invalid rule set', `${errors[0].path}: ${errors[0].message}`, errors);
}

export async function scoringRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/scoring/rules',
    {
      config: { permission: 'scoring:read' },
      schema: { tags: ['scoring'], summary: 'The active rule set (version 0 with the default rules before the first save)' },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const set = await activeRuleSet(ctx.db, ws);
      if (!set) return { ...defaultDraft(), saved: false, comment: null, createdAt: null, createdBy: null };
      const meta = (await listRuleSetVersions(ctx.db, ws))[0];
      return { ...set, saved: true, comment: meta.comment, createdAt: meta.createdAt, createdBy: meta.createdBy };
    },
  );

  app.put(
    '/api/v1/scoring/rules',
    {
      config: { permission: 'scoring:write' },
      schema: {
        tags: ['scoring'],
        summary:
          'Save the rule set: a changed document becomes version n+1 and everyone is rescored in the background. ' +
          'Send the version you edited to get 409 instead of overwriting a newer one; `comment` says why.',
        body: ruleSetDocument,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const body = request.body as Record<string, unknown>;
      const comment = body.comment;
      if (comment !== undefined && comment !== null && (typeof comment !== 'string' || comment.length > 1000)) {
        throw new AppError(422, 'validation', 'Invalid rule set', 'comment: at most 1000 characters', [
          { path: 'comment', message: 'must be a text of at most 1000 characters' },
        ]);
      }
      const { comment: _c, saved: _s, createdAt: _a, createdBy: _b, ...doc } = body;
      const draft = parseDocument(doc);
      const result = await ctx.db.transaction((tx) =>
        saveRuleSet(tx, actor, draft, { comment: (comment as string | undefined)?.trim() || null, now: ctx.clock.now() }),
      );
      return { ...result.ruleSet, saved: true, created: result.created, rescoreRunId: result.runId };
    },
  );

  app.get(
    '/api/v1/scoring/rules/versions',
    { config: { permission: 'scoring:read' }, schema: { tags: ['scoring'], summary: 'Every saved version of the rule set, newest first' } },
    async (request) => ({ items: await listRuleSetVersions(ctx.db, principalOf(request).workspaceId), nextCursor: null }),
  );

  app.get(
    '/api/v1/scoring/rules/versions/:version',
    {
      config: { permission: 'scoring:read' },
      schema: { tags: ['scoring'], summary: 'One saved version of the rule set', params: z.object({ version: z.coerce.number().int().min(1) }) },
    },
    async (request) => ruleSetVersion(ctx.db, principalOf(request).workspaceId, request.params.version),
  );

  app.get(
    '/api/v1/scoring/rescore-status',
    {
      config: { permission: 'scoring:read' },
      schema: {
        tags: ['scoring'],
        summary: 'Progress of the latest (or a given) full rescore: status, people processed of total, changes and new MQLs',
        querystring: z.object({ runId: z.coerce.number().int().min(1).optional() }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const run = request.query.runId ? await getRun(ctx.db, request.query.runId) : await latestRun(ctx.db, ws);
      if (!run) return { status: 'none' };
      return run;
    },
  );

  app.post(
    '/api/v1/scoring/rescore',
    {
      config: { permission: 'scoring:write' },
      schema: { tags: ['scoring'], summary: 'Rescore everyone now with the active rule set (e.g. to apply decay); answers the run to poll' },
    },
    async (request, reply) => {
      const ws = principalOf(request).workspaceId;
      const set = await activeRuleSet(ctx.db, ws);
      if (!set) throw new AppError(409, 'no-rule-set', 'No rule set', 'Save a rule set before rescoring');
      const runId = await ctx.db.transaction((tx) => startRescore(tx, ws, set.version, 'manual', ctx.clock.now()));
      return reply.code(202).send(await getRun(ctx.db, runId));
    },
  );

  app.get(
    '/api/v1/scoring/reach',
    {
      config: { permission: 'scoring:read' },
      schema: { tags: ['scoring'], summary: 'How many people each rule of the active version fired for, at the last full rescore' },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const r = await ctx.db.query<{ version: number; reach: Record<string, number>; finished_at: Date; total: number }>(
        `SELECT version, reach, finished_at, total FROM scoring_runs WHERE workspace_id = $1 AND status = 'done'
         ORDER BY id DESC LIMIT 1`,
        [ws],
      );
      const row = r.rows[0];
      return row ? { version: row.version, people: row.total, reach: row.reach, at: row.finished_at } : { version: null, people: 0, reach: {}, at: null };
    },
  );

  app.post(
    '/api/v1/scoring/backtest',
    {
      config: { permission: 'scoring:read' },
      schema: {
        tags: ['scoring'],
        summary:
          'Replay a rule set (or the active one) over the stored history: precision, recall and lift of MQL for SQL and Won, ' +
          'conversion by score band and grade, MQLs per month, each rule\'s reach',
        body: z
          .object({
            ruleSet: ruleSetDocument.optional(),
            from: z.iso.date().optional(),
            to: z.iso.date().optional(),
            months: z.number().int().min(1).max(36).optional(),
          })
          .strict(),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      let set: RuleSet;
      if (request.body.ruleSet) {
        const { comment: _c, saved: _s, createdAt: _a, createdBy: _b, ...doc } = request.body.ruleSet;
        set = { ...parseDocument(doc, 'ruleSet.'), version: 0 };
      } else {
        set = (await activeRuleSet(ctx.db, ws)) ?? defaultDraft();
      }
      const from = request.body.from ? new Date(`${request.body.from}T00:00:00Z`) : undefined;
      const to = request.body.to ? new Date(`${request.body.to}T00:00:00Z`) : undefined;
      if (from && to && from >= to) throw new AppError(422, 'validation', 'Invalid request', 'to: must be after from', [{ path: 'to', message: 'must be after from' }]);
      return backtestRuleSet(ctx.db, ws, set, { from, to, months: request.body.months, now: ctx.clock.now() });
    },
  );

  app.get(
    '/api/v1/people/:id/score',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['scoring'],
        summary: "A person's score explained: every contributing rule with points and counts, adding up to the two scores",
        params: idParams,
      },
    },
    async (request) => explainScore(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.get(
    '/api/v1/people/:id/score/history',
    {
      config: { permission: 'people:read' },
      schema: { tags: ['scoring'], summary: "A person's score over time (each change), oldest first", params: idParams },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      await explainScore(ctx.db, ws, request.params.id);
      return { items: await scoreHistory(ctx.db, ws, request.params.id) };
    },
  );
}
