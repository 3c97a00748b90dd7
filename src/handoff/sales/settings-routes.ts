import { z } from 'zod';
import { AppError, forbidden, invalid } from '../../platform/errors.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { recordAudit } from '../../team/audit.ts';
import { actorOf, principalOf } from '../../team/auth.ts';
import { loadReps } from './assign.ts';
import { localDate } from './business-days.ts';
import {
  loadReasons,
  loadRules,
  loadSla,
  rejectionReasonSchema,
  saveReasons,
  saveRules,
  saveSla,
  slaSchema,
} from './config.ts';
import { PREFECTURES, REGIONS } from './regions.ts';
import { assignmentRuleSchema, isAvailable, ruleProblems } from './rules.ts';
import { recomputeDueTimes } from './sla.ts';

const repBody = z
  .object({
    weight: z.number().int().min(0).max(100).optional(),
    available: z.boolean().optional(),
    outOfOfficeFrom: z.iso.date().nullable().optional(),
    outOfOfficeTo: z.iso.date().nullable().optional(),
  })
  .strict();

function fail(errors: { path: string; message: string }[]): never {
  throw new AppError(422, 'validation', 'Invalid request', `${errors[0].path}: ${errors[0].message}`, errors);
}

export async function salesSettingsRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/handoff/settings',
    {
      config: { permission: 'handoff:read' },
      schema: {
        tags: ['handoff'],
        summary:
          'Assignment rules (in order), the sales reps with weight and out-of-office, rejection reasons, the SLA, and the known regions',
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const [rules, reasons, sla, reps] = await Promise.all([
        loadRules(ctx.db, ws),
        loadReasons(ctx.db, ws),
        loadSla(ctx.db, ws),
        loadReps(ctx.db, ws),
      ]);
      const today = localDate(ctx.clock.now(), sla.timezone);
      return {
        rules,
        reasons,
        sla,
        reps: [...reps.values()]
          .filter((r) => r.role === 'sales' || rules.some((rule) => rule.userIds.includes(r.userId)))
          .map((r) => ({
            userId: r.userId,
            name: r.name,
            email: r.email,
            role: r.role,
            active: r.active,
            weight: r.weight,
            available: r.available,
            outOfOfficeFrom: r.outOfOfficeFrom,
            outOfOfficeTo: r.outOfOfficeTo,
            availableToday: isAvailable(r, today),
            assignedCount: r.assignedCount ?? 0,
          })),
        regions: REGIONS,
        prefectures: PREFECTURES,
      };
    },
  );

  app.put(
    '/api/v1/handoff/assignment-rules',
    {
      config: { permission: 'settings:write' },
      schema: {
        tags: ['handoff'],
        summary:
          'Replace the ordered assignment rules (account_owner, territory by prefectures / regions / industries, round_robin)',
        body: z.object({ rules: z.array(assignmentRuleSchema).max(100) }).strict(),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const reps = await loadReps(ctx.db, actor.workspaceId);
      const known = new Set([...reps.values()].filter((r) => r.active).map((r) => r.userId));
      const problems = ruleProblems(request.body.rules, known);
      if (problems.length) fail(problems);
      await ctx.db.transaction(async (tx) => {
        await saveRules(tx, actor.workspaceId, request.body.rules);
        await recordAudit(tx, actor, {
          action: 'handoff.rules_saved',
          entityType: 'settings',
          entityId: 'handoff.assignment_rules',
          meta: { rules: request.body.rules.length },
        });
      });
      return { rules: request.body.rules };
    },
  );

  app.put(
    '/api/v1/handoff/rejection-reasons',
    {
      config: { permission: 'settings:write' },
      schema: {
        tags: ['handoff'],
        summary:
          'Replace the list of reasons sales may give when rejecting an MQL (予算なし, 時期尚早, 担当者違い, 競合 …)',
        body: z.object({ reasons: z.array(rejectionReasonSchema).min(1).max(100) }).strict(),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const reasons = request.body.reasons;
      const seen = new Set<string>();
      reasons.forEach((r, i) => {
        if (seen.has(r.code)) throw invalid(`reasons.${i}.code`, `duplicate code ${r.code}`);
        seen.add(r.code);
      });
      if (!reasons.some((r) => r.active)) throw invalid('reasons', 'at least one reason must be active');
      await ctx.db.transaction(async (tx) => {
        await saveReasons(tx, actor.workspaceId, reasons);
        await recordAudit(tx, actor, {
          action: 'handoff.reasons_saved',
          entityType: 'settings',
          entityId: 'handoff.rejection_reasons',
        });
      });
      return { reasons };
    },
  );

  app.put(
    '/api/v1/handoff/sla',
    {
      config: { permission: 'settings:write' },
      schema: {
        tags: ['handoff'],
        summary:
          'The acceptance SLA: business days, Japanese holidays, closed dates, working weekdays, time zone. Recomputes open deadlines',
        body: slaSchema,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const sla = request.body;
      await ctx.db.transaction(async (tx) => {
        await saveSla(tx, actor.workspaceId, sla);
        await recomputeDueTimes(tx, actor.workspaceId);
        await recordAudit(tx, actor, {
          action: 'handoff.sla_saved',
          entityType: 'settings',
          entityId: 'handoff.sla',
          meta: { businessDays: sla.businessDays },
        });
      });
      return sla;
    },
  );

  app.put(
    '/api/v1/handoff/reps/:userId',
    {
      config: { permission: 'handoff:act' },
      schema: {
        tags: ['handoff'],
        summary:
          'A rep’s round-robin weight, availability and out-of-office dates (admins for anyone; a rep for themself)',
        params: z.object({ userId: z.uuid() }),
        body: repBody,
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { userId } = request.params;
      const reps = await loadReps(ctx.db, p.workspaceId);
      const rep = reps.get(userId);
      if (!rep) throw invalid('userId', 'not a sales user or admin');
      if (p.role !== 'admin' && p.userId !== userId)
        throw forbidden('Only an admin may change another rep’s settings');
      if (p.role !== 'admin' && request.body.weight !== undefined)
        throw forbidden('Only an admin may change round-robin weights');
      const b = request.body;
      const from = b.outOfOfficeFrom === undefined ? rep.outOfOfficeFrom : b.outOfOfficeFrom;
      const to = b.outOfOfficeTo === undefined ? rep.outOfOfficeTo : b.outOfOfficeTo;
      if (from && to && from > to) throw invalid('outOfOfficeTo', 'must not be before outOfOfficeFrom');
      await ctx.db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO handoff_reps (workspace_id, user_id, weight, available, out_of_office_from, out_of_office_to, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, now())
           ON CONFLICT (workspace_id, user_id) DO UPDATE SET weight = EXCLUDED.weight, available = EXCLUDED.available,
             out_of_office_from = EXCLUDED.out_of_office_from, out_of_office_to = EXCLUDED.out_of_office_to, updated_at = now()`,
          [p.workspaceId, userId, b.weight ?? rep.weight, b.available ?? rep.available, from, to],
        );
        await recordAudit(tx, actorOf(request), {
          action: 'handoff.rep_updated',
          entityType: 'user',
          entityId: userId,
          meta: { ...b },
        });
      });
      return {
        userId,
        weight: b.weight ?? rep.weight,
        available: b.available ?? rep.available,
        outOfOfficeFrom: from,
        outOfOfficeTo: to,
      };
    },
  );
}
