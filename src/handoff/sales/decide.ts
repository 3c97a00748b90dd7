import { changeStage } from '../../lifecycle/transitions.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { Person } from '../../people/person.ts';
import { getPerson } from '../../people/store.ts';
import { type Actor, recordAudit } from '../../team/audit.ts';
import type { Principal } from '../../team/auth.ts';
import { findReason, loadReasons } from './config.ts';

const actorOfPrincipal = (p: Principal): Actor => ({
  type: p.kind,
  id: p.id,
  label: p.label,
  workspaceId: p.workspaceId,
});

/**
 * Who may accept or reject: an admin (manager), the lead's owner, the owner's manager, or any
 * sales user for a lead nobody owns yet (they claim it). API keys act only with the admin role.
 */
async function authorize(
  q: Queryable,
  principal: Principal,
  personId: string,
): Promise<{ ownerId: string | null }> {
  const r = await q.query<{ owner_id: string | null; manager_id: string | null }>(
    `SELECT p.owner_id, u.manager_id FROM people p LEFT JOIN users u ON u.id = p.owner_id
     WHERE p.workspace_id = $1 AND p.id = $2 FOR UPDATE OF p`,
    [principal.workspaceId, personId],
  );
  const row = r.rows[0];
  if (!row) throw notFound('Person', personId);
  if (principal.role === 'admin') return { ownerId: row.owner_id };
  const me = principal.kind === 'user' ? principal.userId : null;
  if (me && (row.owner_id === null || row.owner_id === me || row.manager_id === me))
    return { ownerId: row.owner_id };
  throw forbidden("Only the lead's owner, the owner's manager or an admin may accept or reject it");
}

async function closeHandoff(
  q: Queryable,
  principal: Principal,
  personId: string,
  fields: {
    status: 'accepted' | 'rejected';
    outcome: string;
    reasonCode?: string;
    reason?: string;
    note?: string | null;
  },
  now: Date,
) {
  await q.query(
    `UPDATE handoffs SET status = $3, decided_at = $4, decided_by = $5, outcome_stage = $6, reason_code = $7, reason = $8, note = $9
     WHERE workspace_id = $1 AND person_id = $2 AND status = 'awaiting'`,
    [
      principal.workspaceId,
      personId,
      fields.status,
      now,
      principal.label,
      fields.outcome,
      fields.reasonCode ?? null,
      fields.reason ?? null,
      fields.note ?? null,
    ],
  );
}

/** Sales accepts an MQL: MQL → SAL. The SLA clock stops; an unowned lead becomes the accepting rep's. */
export async function acceptLead(
  q: Queryable,
  principal: Principal,
  personId: string,
  now: Date,
): Promise<Person> {
  const { ownerId } = await authorize(q, principal, personId);
  const actor = actorOfPrincipal(principal);
  await changeStage(q, actor, {
    personId,
    to: 'sal',
    mover: principal.role,
    actorType: principal.kind,
    actorId: principal.id,
    reason: '営業が受け入れ / Accepted by sales',
    at: now,
    meta: { handoff: 'accepted' },
  });
  if (!ownerId && principal.userId) {
    await q.query('UPDATE people SET owner_id = $3 WHERE workspace_id = $1 AND id = $2', [
      principal.workspaceId,
      personId,
      principal.userId,
    ]);
    await q.query(
      `INSERT INTO handoff_assignments (workspace_id, person_id, owner_id, rule_kind, trigger, actor_type, actor_id, at)
       VALUES ($1, $2, $3, 'claim', 'manual', $4, $5, $6)`,
      [principal.workspaceId, personId, principal.userId, principal.kind, principal.id, now],
    );
    await recordAudit(q, actor, {
      action: 'person.assigned',
      entityType: 'person',
      entityId: personId,
      changes: { ownerId: [null, principal.userId] },
      meta: { rule: 'claim' },
    });
  }
  await closeHandoff(q, principal, personId, { status: 'accepted', outcome: 'sal' }, now);
  return getPerson(q, principal.workspaceId, personId);
}

export interface Rejection {
  reason?: string;
  note?: string | null;
  disqualify?: boolean;
}

/**
 * Sales rejects an MQL with a reason from the configured list: MQL → Recycled (back into
 * nurturing) or → Disqualified. The owner is cleared so a later MQL is routed afresh; the
 * handoff keeps who rejected it and why.
 */
export async function rejectLead(
  q: Queryable,
  principal: Principal,
  personId: string,
  input: Rejection,
  now: Date,
): Promise<Person> {
  if (!input.reason?.trim())
    throw invalid('reason', 'required: why sales rejects the lead (e.g. 予算なし, 時期尚早)');
  const reasons = await loadReasons(q, principal.workspaceId);
  const reason = findReason(reasons, input.reason);
  if (!reason) {
    throw invalid(
      'reason',
      `not one of the configured reasons: ${reasons
        .filter((r) => r.active)
        .map((r) => r.ja)
        .join(', ')}`,
    );
  }
  const { ownerId } = await authorize(q, principal, personId);
  const to = input.disqualify ? 'disqualified' : 'recycled';
  const note = input.note?.trim() || null;
  const label = `${reason.ja} / ${reason.en}`;
  const actor = actorOfPrincipal(principal);
  await changeStage(q, actor, {
    personId,
    to,
    mover: principal.role,
    actorType: principal.kind,
    actorId: principal.id,
    reason: note ? `${label}: ${note}` : label,
    at: now,
    meta: { handoff: 'rejected', reasonCode: reason.code, note },
  });
  if (ownerId) {
    await q.query('UPDATE people SET owner_id = NULL WHERE workspace_id = $1 AND id = $2', [
      principal.workspaceId,
      personId,
    ]);
    await recordAudit(q, actor, {
      action: 'person.unassigned',
      entityType: 'person',
      entityId: personId,
      changes: { ownerId: [ownerId, null] },
      meta: { reason: reason.code },
    });
  }
  await closeHandoff(
    q,
    principal,
    personId,
    { status: 'rejected', outcome: to, reasonCode: reason.code, reason: label, note },
    now,
  );
  return getPerson(q, principal.workspaceId, personId);
}
