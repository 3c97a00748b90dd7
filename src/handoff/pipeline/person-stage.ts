import { checkTransition, type Stage } from '../../lifecycle/stages.ts';
import { changeStage, type TransitionActorType } from '../../lifecycle/transitions.ts';
import type { Queryable } from '../../platform/db/client.ts';
import type { Actor } from '../../team/audit.ts';

/** Stages an opportunity may pass a person through on the way to SQL, Won or Lost. */
const VIA: readonly Stage[] = ['sgl', 'sql'];

/**
 * The shortest legal route from `from` to `to` through the transition table, passing only
 * through SGL and SQL (an untouched inquiry that sales opens a deal on is sales-generated).
 * Empty when already there; undefined when there is no route (e.g. disqualified). Pure.
 */
export function routeTo(from: Stage, to: Stage): Stage[] | undefined {
  if (from === to) return [];
  const queue: { at: Stage; path: Stage[] }[] = [{ at: from, path: [] }];
  const seen = new Set<Stage>([from]);
  while (queue.length > 0) {
    const { at, path } = queue.shift() as { at: Stage; path: Stage[] };
    for (const next of [to, ...VIA]) {
      if (seen.has(next) || !checkTransition(at, next, 'system').ok) continue;
      if (next === to) return [...path, next];
      seen.add(next);
      queue.push({ at: next, path: [...path, next] });
    }
  }
  return undefined;
}

export interface OpportunityMove {
  personId: string;
  target: 'sql' | 'won' | 'lost';
  opportunityId: string;
  actorType: TransitionActorType;
  actorId: string | null;
  reason?: string | null;
  at?: Date;
}

export type MoveOutcome =
  | { moved: Stage[] }
  | { skipped: 'no-route' | 'already-won' | 'other-open-deals' | 'no-person' };

/**
 * Moves a person as an opportunity dictates, through changeStage (one step at a time, so the
 * funnel sees every stage). A lost deal leaves a person alone who won another deal or still
 * has an open one.
 */
export async function movePersonForOpportunity(
  q: Queryable,
  actor: Actor,
  move: OpportunityMove,
): Promise<MoveOutcome> {
  const r = await q.query<{ stage: Stage; open_others: number }>(
    `SELECT p.stage,
            (SELECT count(*) FROM opportunities o
              WHERE o.workspace_id = p.workspace_id AND o.status = 'open' AND o.id <> $3
                AND (o.person_id = p.id OR EXISTS (SELECT 1 FROM opportunity_contacts c WHERE c.opportunity_id = o.id AND c.person_id = p.id))) AS open_others
     FROM people p WHERE p.workspace_id = $1 AND p.id = $2 FOR UPDATE`,
    [actor.workspaceId, move.personId, move.opportunityId],
  );
  const person = r.rows[0];
  if (!person) return { skipped: 'no-person' };
  if (move.target === 'lost') {
    if (person.stage === 'won') return { skipped: 'already-won' };
    if (person.open_others > 0) return { skipped: 'other-open-deals' };
  }
  const route = routeTo(person.stage, move.target);
  if (!route) return { skipped: 'no-route' };
  for (const to of route) {
    await changeStage(q, actor, {
      personId: move.personId,
      to,
      mover: 'system',
      actorType: move.actorType,
      actorId: move.actorId,
      reason: move.reason ?? null,
      at: move.at,
      meta: { opportunityId: move.opportunityId },
    });
  }
  return { moved: route };
}
