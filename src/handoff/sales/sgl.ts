import { changeStage } from '../../lifecycle/transitions.ts';
import type { Queryable } from '../../platform/db/client.ts';
import type { AppContext } from '../../platform/http/context.ts';
import type { Person, PersonInput } from '../../people/person.ts';
import { getPerson, upsertPerson } from '../../people/store.ts';
import type { Actor } from '../../team/audit.ts';
import type { Principal } from '../../team/auth.ts';
import { assignPeople } from './assign.ts';

export interface NewSgl extends PersonInput {
  /** Why sales generated it: "紹介: ○○様より", "テレアポ" … stored on the transition. */
  note?: string | null;
}

/**
 * Sales creates a lead it generated itself (outbound call, referral): the person is created or
 * updated, moves straight to SGL (skipping MQL, so the funnel counts it apart) and is owned by
 * the given rep or the creator.
 */
export async function createSgl(
  tx: Queryable,
  ctx: Pick<AppContext, 'config'>,
  principal: Principal,
  input: NewSgl,
  now: Date,
): Promise<{ person: Person; created: boolean }> {
  const actor: Actor = {
    type: principal.kind,
    id: principal.id,
    label: principal.label,
    workspaceId: principal.workspaceId,
  };
  const { note, ownerId, ...fields } = input;
  const owner = ownerId ?? principal.userId;
  const { person, created } = await upsertPerson(tx, actor, { ...fields, source: fields.source ?? 'sales' });
  await changeStage(tx, actor, {
    personId: person.id,
    to: 'sgl',
    mover: principal.role,
    actorType: principal.kind,
    actorId: principal.id,
    reason: note?.trim() || '営業が創出 / Sales generated',
    at: now,
    meta: { handoff: 'sgl' },
  });
  if (owner) await assignPeople(tx, ctx, actor, [person.id], { trigger: 'sgl', ownerId: owner, now });
  return { person: await getPerson(tx, principal.workspaceId, person.id), created };
}
