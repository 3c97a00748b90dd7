import type { Queryable } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { emitEvent } from '../platform/events.ts';
import { recordAudit, type Actor } from '../team/audit.ts';
import { checkTransition, type Mover, type Stage } from './stages.ts';

export type TransitionActorType = 'user' | 'api_key' | 'rule' | 'scenario' | 'system' | 'import';

export interface StageChange {
  personId: string;
  to: Stage;
  reason?: string | null;
  /** Who moves the person: a role by hand, or 'system' for rules, scenarios and opportunities. */
  mover: Mover;
  actorType: TransitionActorType;
  actorId?: string | null;
  at?: Date;
  meta?: Record<string, unknown>;
}

export interface StageChangeResult {
  from: Stage;
  to: Stage;
}

/**
 * Moves one person to a new stage: checks the transition table, updates the person, records
 * the transition, the audit entry and the `person.stage_changed` event, all in the caller's
 * transaction. Throws 409 for an illegal move, 403 for a move the role may not make.
 */
export async function changeStage(
  q: Queryable,
  actor: Actor,
  change: StageChange,
): Promise<StageChangeResult> {
  const r = await q.query<{ stage: Stage }>(
    'SELECT stage FROM people WHERE workspace_id = $1 AND id = $2 FOR UPDATE',
    [actor.workspaceId, change.personId],
  );
  const current = r.rows[0];
  if (!current) throw notFound('Person', change.personId);
  const check = checkTransition(current.stage, change.to, change.mover);
  if (!check.ok) {
    if (check.reason === 'not-allowed-for-role') {
      throw new AppError(403, 'forbidden', 'Forbidden', `Your role may not move a person from ${current.stage} to ${change.to}`);
    }
    throw new AppError(
      409,
      'illegal-transition',
      'Illegal stage transition',
      `A person cannot move from ${current.stage} to ${change.to}`,
    );
  }
  const at = change.at ?? new Date();
  await q.query(
    `UPDATE people SET stage = $3, stage_changed_at = $4, updated_at = now() WHERE workspace_id = $1 AND id = $2`,
    [actor.workspaceId, change.personId, change.to, at],
  );
  await q.query(
    `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type, actor_id, reason, meta)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      actor.workspaceId,
      change.personId,
      current.stage,
      change.to,
      at,
      change.actorType,
      change.actorId ?? null,
      change.reason ?? null,
      change.meta ? JSON.stringify(change.meta) : null,
    ],
  );
  await recordAudit(q, actor, {
    action: 'person.stage_changed',
    entityType: 'person',
    entityId: change.personId,
    changes: { stage: [current.stage, change.to] },
    meta: change.reason ? { reason: change.reason } : null,
  });
  await emitEvent(
    q,
    actor.workspaceId,
    'person.stage_changed',
    { personId: change.personId, from: current.stage, to: change.to, reason: change.reason ?? null },
    change.personId,
  );
  return { from: current.stage, to: change.to };
}

export interface TransitionRecord {
  id: number;
  fromStage: Stage | null;
  toStage: Stage;
  at: Date;
  actorType: TransitionActorType;
  actorId: string | null;
  actorLabel: string | null;
  reason: string | null;
}

export async function listTransitions(q: Queryable, workspaceId: number, personId: string): Promise<TransitionRecord[]> {
  const r = await q.query<{
    id: number;
    from_stage: Stage | null;
    to_stage: Stage;
    at: Date;
    actor_type: TransitionActorType;
    actor_id: string | null;
    actor_label: string | null;
    reason: string | null;
  }>(
    `SELECT t.id, t.from_stage, t.to_stage, t.at, t.actor_type, t.actor_id, t.reason,
            coalesce(u.name, k.name, t.actor_id) AS actor_label
     FROM stage_transitions t
     LEFT JOIN users u ON t.actor_type = 'user' AND u.id::text = t.actor_id
     LEFT JOIN api_keys k ON t.actor_type = 'api_key' AND k.id::text = t.actor_id
     WHERE t.workspace_id = $1 AND t.person_id = $2 ORDER BY t.at, t.id`,
    [workspaceId, personId],
  );
  return r.rows.map((row) => ({
    id: row.id,
    fromStage: row.from_stage,
    toStage: row.to_stage,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    reason: row.reason,
  }));
}
