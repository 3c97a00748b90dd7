import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type Actor, recordAudit } from '../../team/audit.ts';
import type { Goal, QuietHours, Scenario, ScenarioInput, ScenarioStatus, Step, Trigger } from './model.ts';

interface ScenarioRow {
  id: string;
  name: string;
  description: string | null;
  status: ScenarioStatus;
  trigger: Trigger;
  steps: Step[];
  goal: Goal | null;
  reentry: 'never' | 'after_exit';
  reentry_days: number;
  time_zone: string;
  quiet_hours: QuietHours | null;
  webhook_secret: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  activated_at: Date | null;
}

export const SCENARIO_COLUMNS = `id, name, description, status, trigger, steps, goal, reentry, reentry_days, time_zone,
  quiet_hours, webhook_secret, version, created_at, updated_at, activated_at`;

export function toScenario(r: ScenarioRow): Scenario {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    status: r.status,
    trigger: r.trigger,
    steps: r.steps,
    goal: r.goal,
    reentry: r.reentry,
    reentryDays: r.reentry_days,
    timeZone: r.time_zone,
    quietHours: r.quiet_hours,
    webhookSecret: r.webhook_secret,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    activatedAt: r.activated_at,
  };
}

export async function getScenario(
  q: Queryable,
  workspaceId: number,
  id: string,
  lock = false,
): Promise<Scenario> {
  const r = await q.query<ScenarioRow>(
    `SELECT ${SCENARIO_COLUMNS} FROM scenarios WHERE workspace_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
    [workspaceId, id],
  );
  if (!r.rows[0]) throw notFound('Scenario', id);
  return toScenario(r.rows[0]);
}

export async function findScenario(
  q: Queryable,
  id: string,
): Promise<(Scenario & { workspaceId: number }) | undefined> {
  const r = await q.query<ScenarioRow & { workspace_id: number }>(
    `SELECT workspace_id, ${SCENARIO_COLUMNS} FROM scenarios WHERE id = $1`,
    [id],
  );
  return r.rows[0] ? { ...toScenario(r.rows[0]), workspaceId: r.rows[0].workspace_id } : undefined;
}

export async function listScenarios(
  q: Queryable,
  workspaceId: number,
  status?: ScenarioStatus,
): Promise<(Scenario & { stats: ScenarioTotals })[]> {
  const r = await q.query<ScenarioRow & { active: number; completed: number; total: number }>(
    `SELECT s.*,
            coalesce(e.active, 0)::int AS active, coalesce(e.completed, 0)::int AS completed, coalesce(e.total, 0)::int AS total
     FROM scenarios s
     LEFT JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status = 'active') AS active,
              count(*) FILTER (WHERE status IN ('completed', 'goal')) AS completed, count(*) AS total
       FROM scenario_enrolments WHERE scenario_id = s.id) e ON true
     WHERE s.workspace_id = $1 AND ($2::text IS NULL OR s.status = $2) AND s.status <> 'archived'
     ORDER BY s.created_at DESC, s.id`,
    [workspaceId, status ?? null],
  );
  return r.rows.map((row) => ({
    ...toScenario(row),
    stats: { active: row.active, completed: row.completed, total: row.total },
  }));
}

export interface ScenarioTotals {
  active: number;
  completed: number;
  total: number;
}

export async function createScenario(q: Queryable, actor: Actor, input: ScenarioInput): Promise<Scenario> {
  const r = await q.query<ScenarioRow>(
    `INSERT INTO scenarios (workspace_id, name, description, trigger, steps, goal, reentry, reentry_days, time_zone, quiet_hours,
                            webhook_secret, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${SCENARIO_COLUMNS}`,
    [
      actor.workspaceId,
      input.name,
      input.description ?? null,
      JSON.stringify(input.trigger),
      JSON.stringify(input.steps),
      input.goal ? JSON.stringify(input.goal) : null,
      input.reentry,
      input.reentryDays,
      input.timeZone,
      input.quietHours ? JSON.stringify(input.quietHours) : null,
      `whsec_${randomBytes(24).toString('hex')}`,
      actor.label,
    ],
  );
  const s = toScenario(r.rows[0]);
  await recordAudit(q, actor, {
    action: 'scenario.created',
    entityType: 'scenario',
    entityId: s.id,
    meta: { name: s.name },
  });
  return s;
}

/**
 * Replaces the document. Steps people are waiting at must survive: removing a step that has
 * people on it is a 409 (pause, let them finish, or move them first).
 */
export async function updateScenario(
  q: Queryable,
  actor: Actor,
  id: string,
  input: ScenarioInput,
  expectedVersion?: number,
): Promise<Scenario> {
  const current = await getScenario(q, actor.workspaceId, id, true);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new AppError(
      409,
      'version-conflict',
      'Conflict',
      `The scenario was changed by someone else (version ${current.version}); reload it`,
    );
  }
  const kept = new Set(input.steps.map((s) => s.id));
  const stranded = await q.query<{ step: string; n: number }>(
    `SELECT coalesce(next_step, current_step) AS step, count(*)::int AS n FROM scenario_enrolments
     WHERE scenario_id = $1 AND status = 'active' GROUP BY 1`,
    [id],
  );
  const lost = stranded.rows.filter((r) => r.step && !kept.has(r.step));
  if (lost.length > 0) {
    throw new AppError(
      409,
      'steps-in-use',
      'Conflict',
      `People are still at step "${lost[0].step}" (${lost[0].n}); keep that step or let them finish first`,
      [{ path: 'steps', message: `step "${lost[0].step}" has ${lost[0].n} people on it` }],
    );
  }
  const r = await q.query<ScenarioRow>(
    `UPDATE scenarios SET name = $3, description = $4, trigger = $5, steps = $6, goal = $7, reentry = $8, reentry_days = $9,
            time_zone = $10, quiet_hours = $11, version = version + 1, updated_at = now()
     WHERE workspace_id = $1 AND id = $2 RETURNING ${SCENARIO_COLUMNS}`,
    [
      actor.workspaceId,
      id,
      input.name,
      input.description ?? null,
      JSON.stringify(input.trigger),
      JSON.stringify(input.steps),
      input.goal ? JSON.stringify(input.goal) : null,
      input.reentry,
      input.reentryDays,
      input.timeZone,
      input.quietHours ? JSON.stringify(input.quietHours) : null,
    ],
  );
  await recordAudit(q, actor, {
    action: 'scenario.updated',
    entityType: 'scenario',
    entityId: id,
    meta: { version: current.version + 1 },
  });
  return toScenario(r.rows[0]);
}

export async function setScenarioStatus(
  q: Queryable,
  actor: Actor,
  id: string,
  status: ScenarioStatus,
): Promise<{ before: Scenario; after: Scenario }> {
  const before = await getScenario(q, actor.workspaceId, id, true);
  const r = await q.query<ScenarioRow>(
    `UPDATE scenarios SET status = $3, updated_at = now(),
            activated_at = CASE WHEN $3 = 'active' AND status <> 'active' THEN now() ELSE activated_at END
     WHERE workspace_id = $1 AND id = $2 RETURNING ${SCENARIO_COLUMNS}`,
    [actor.workspaceId, id, status],
  );
  await recordAudit(q, actor, {
    action: `scenario.${status}`,
    entityType: 'scenario',
    entityId: id,
    changes: { status: [before.status, status] },
  });
  return { before, after: toScenario(r.rows[0]) };
}
