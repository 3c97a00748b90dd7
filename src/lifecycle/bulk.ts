import type { Queryable } from '../platform/db/client.ts';
import { subscriberJobsSql } from '../platform/events.ts';
import type { Actor } from '../team/audit.ts';
import { checkTransition, type Mover, STAGES, type Stage } from './stages.ts';
import type { TransitionActorType } from './transitions.ts';

export interface BulkStageChange {
  /**
   * SQL yielding (person_id uuid, reason text), and (meta jsonb) with `withMeta`; placeholders
   * continue after the first eight.
   */
  candidates: string;
  withMeta?: boolean;
  params: unknown[];
  to: Stage;
  /** Only people currently in one of these stages move; moves the table forbids are dropped. */
  from: readonly Stage[];
  mover: Mover;
  actorType: TransitionActorType;
  actorId: string | null;
  at: Date;
}

/**
 * The set-based counterpart of changeStage for many people at once (a rescore qualifying
 * thousands of leads): the same transition table decides, and each move is recorded with its
 * transition, audit entry and `person.stage_changed` event, in the caller's transaction.
 * Returns how many people moved.
 */
export async function changeStageMany(q: Queryable, actor: Actor, change: BulkStageChange): Promise<number> {
  const legal = STAGES.filter((s) => change.from.includes(s) && checkTransition(s, change.to, change.mover).ok);
  if (legal.length === 0) return 0;
  const r = await q.query<{ n: number }>(
    `WITH cand AS (${change.candidates}),
     cur AS (
       SELECT p.id, p.stage, c.reason, ${change.withMeta ? 'c.meta' : 'NULL::jsonb'} AS meta FROM people p JOIN cand c ON c.person_id = p.id
       WHERE p.workspace_id = $1 AND p.stage = ANY($2::text[])
       FOR UPDATE OF p
     ),
     upd AS (
       UPDATE people p SET stage = $3, stage_changed_at = $4, updated_at = now()
       FROM cur WHERE p.id = cur.id RETURNING p.id
     ),
     tr AS (
       INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type, actor_id, reason, meta)
       SELECT $1, cur.id, cur.stage, $3, $4, $5, $6, cur.reason, cur.meta FROM cur
     ),
     au AS (
       INSERT INTO audit_log (workspace_id, actor_type, actor_id, actor_label, action, entity_type, entity_id, changes, meta)
       SELECT $1, $7, $6, $8, 'person.stage_changed', 'person', cur.id::text,
              jsonb_build_object('stage', jsonb_build_array(cur.stage, $3::text)), jsonb_build_object('reason', cur.reason)
       FROM cur
     ),
     ev AS (
       INSERT INTO events (workspace_id, type, person_id, data)
       SELECT $1, 'person.stage_changed', cur.id,
              jsonb_build_object('personId', cur.id, 'from', cur.stage, 'to', $3::text, 'reason', cur.reason)
       FROM cur RETURNING id, workspace_id, type, person_id
     ),
     jobs_added AS (${subscriberJobsSql()} RETURNING 1)
     SELECT count(*)::int AS n FROM upd`,
    [
      actor.workspaceId,
      legal,
      change.to,
      change.at,
      change.actorType,
      change.actorId,
      actor.type,
      actor.label,
      ...change.params,
    ],
  );
  return r.rows[0].n;
}
