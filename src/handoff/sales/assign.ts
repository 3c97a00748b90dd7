import { withFunnelSyncDeferred } from '../../analytics/funnel-sync.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { invalid } from '../../platform/errors.ts';
import { emitEvent } from '../../platform/events.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { enqueueMany } from '../../platform/jobs/queue.ts';
import type { Actor } from '../../team/audit.ts';
import { localDate, slaDueAt } from './business-days.ts';
import { loadRules, loadSla, type SlaConfig } from './config.ts';
import { mailAssignment, type Recipient } from './notify.ts';
import { buildHandoffPackage } from './package.ts';
import { type LeadFacts, pickOwner, type RepState } from './rules.ts';

export const NOTIFY_QUEUE = 'handoff.notify';

export type AssignTrigger = 'mql' | 'manual' | 'bulk' | 'sgl';

export interface AssignOptions {
  trigger: AssignTrigger;
  /** A chosen owner instead of the rules. */
  ownerId?: string | null;
  /** Keep a current owner who is an active rep (automatic MQL assignment). */
  keepExistingOwner?: boolean;
  /** The stage_changed event behind an automatic assignment (makes a retried job a no-op). */
  sourceEventId?: number;
  now: Date;
}

export interface AssignmentResult {
  personId: string;
  ownerId: string | null;
  previousOwnerId: string | null;
  ruleKind: string;
  ruleId: string | null;
  ruleName: string | null;
  assignmentId: number;
  changed: boolean;
}

/** Sales users and admins, with their round-robin state and availability. */
export async function loadReps(
  q: Queryable,
  workspaceId: number,
): Promise<Map<string, RepState & Recipient & { managerId: string | null }>> {
  const r = await q.query<{
    id: string;
    email: string;
    name: string;
    locale: string | null;
    role: string;
    active: boolean;
    manager_id: string | null;
    weight: number | null;
    available: boolean | null;
    out_of_office_from: string | null;
    out_of_office_to: string | null;
    assigned_count: number | null;
    last_assigned_at: Date | null;
  }>(
    `SELECT u.id, u.email, u.name, u.locale, u.role, u.active, u.manager_id, r.weight, r.available,
            r.out_of_office_from, r.out_of_office_to, r.assigned_count, r.last_assigned_at
     FROM users u LEFT JOIN handoff_reps r ON r.workspace_id = u.workspace_id AND r.user_id = u.id
     WHERE u.workspace_id = $1 AND u.role IN ('sales', 'admin')`,
    [workspaceId],
  );
  return new Map(
    r.rows.map((u) => [
      u.id,
      {
        userId: u.id,
        id: u.id,
        email: u.email,
        name: u.name,
        locale: u.locale,
        role: u.role,
        active: u.active,
        managerId: u.manager_id,
        weight: u.weight ?? 1,
        available: u.available ?? true,
        outOfOfficeFrom: u.out_of_office_from,
        outOfOfficeTo: u.out_of_office_to,
        assignedCount: u.assigned_count,
        lastAssignedAt: u.last_assigned_at?.getTime() ?? null,
      },
    ]),
  );
}

/** The due time of a handoff that started at `mqlAt`, or null when the SLA is off. */
export const dueAtFor = (mqlAt: Date, sla: SlaConfig): Date | null =>
  sla.enabled ? slaDueAt(mqlAt, sla) : null;

/**
 * Assigns owners to people — a chosen one, or by the ordered rules — records every assignment,
 * opens the SLA clock of people waiting in MQL, and emits `person.assigned` with the handoff
 * package and mails the new owner. All in the caller's transaction; assignments are serialised
 * per workspace (an advisory lock) so concurrent MQLs rotate the round robin fairly.
 */
export async function assignPeople(
  tx: Queryable,
  ctx: Pick<AppContext, 'config'>,
  actor: Actor,
  personIds: string[],
  opts: AssignOptions,
): Promise<AssignmentResult[]> {
  const ws = actor.workspaceId;
  await tx.query('SELECT pg_advisory_xact_lock(4000, $1)', [ws]);
  if (opts.sourceEventId !== undefined) {
    const done = await tx.query(
      'SELECT 1 FROM handoff_assignments WHERE workspace_id = $1 AND source_event_id = $2',
      [ws, opts.sourceEventId],
    );
    if (done.rows.length) return [];
  }
  // One query at a time: a transaction's client runs queries in sequence.
  const rules = await loadRules(tx, ws);
  const sla = await loadSla(tx, ws);
  const reps = await loadReps(tx, ws);
  if (opts.ownerId) {
    const owner = reps.get(opts.ownerId);
    if (!owner || !owner.active) throw invalid('ownerId', 'not an active sales user or admin');
  }
  const people = await tx.query<{
    id: string;
    stage: string;
    stage_changed_at: Date;
    owner_id: string | null;
    prefecture: string | null;
    industry: string | null;
    account_owner_id: string | null;
    account_prefecture: string | null;
    account_industry: string | null;
  }>(
    `SELECT p.id, p.stage, p.stage_changed_at, p.owner_id, p.prefecture, p.industry,
            a.owner_id AS account_owner_id, a.prefecture AS account_prefecture, a.industry AS account_industry
     FROM people p LEFT JOIN accounts a ON a.id = p.account_id
     WHERE p.workspace_id = $1 AND p.id = ANY($2::uuid[]) ORDER BY p.stage_changed_at, p.id FOR UPDATE OF p`,
    [ws, personIds],
  );
  const now = opts.now;
  const today = localDate(now, sla.timezone);
  const before = new Map([...reps.values()].map((r) => [r.userId, r.assignedCount]));
  // The round robin's "who had the last lead" must follow the order the lock gives, not the
  // clocks of jobs that started side by side: each pick is stamped after every earlier one.
  const rrStart = Math.max(now.getTime(), ...[...reps.values()].map((r) => (r.lastAssignedAt ?? 0) + 1));
  let rrStamp = rrStart;
  const picks = people.rows.map((p) => {
    if (opts.ownerId) return { p, ownerId: opts.ownerId, kind: 'manual', ruleId: null, ruleName: null };
    const current = p.owner_id ? reps.get(p.owner_id) : undefined;
    if (opts.keepExistingOwner && current?.active)
      return { p, ownerId: current.userId, kind: 'existing_owner', ruleId: null, ruleName: null };
    const facts: LeadFacts = {
      personId: p.id,
      prefecture: p.prefecture,
      industry: p.industry,
      accountOwnerId: p.account_owner_id,
      accountPrefecture: p.account_prefecture,
      accountIndustry: p.account_industry,
    };
    const pick = pickOwner(facts, rules, reps, today, rrStamp++);
    return pick
      ? { p, ownerId: pick.ownerId, kind: pick.rule.kind, ruleId: pick.rule.id, ruleName: pick.rule.name }
      : { p, ownerId: null, kind: 'none', ruleId: null, ruleName: null };
  });
  if (picks.length === 0) return [];

  // The funnel entries of the whole batch follow their new owners in one statement (migration 0508).
  await withFunnelSyncDeferred(
    tx,
    picks.map((x) => x.p.id),
    () =>
      tx.query(
        `UPDATE people p SET owner_id = u.owner_id, updated_at = now()
       FROM unnest($2::uuid[], $3::uuid[]) AS u(id, owner_id)
       WHERE p.workspace_id = $1 AND p.id = u.id AND p.owner_id IS DISTINCT FROM u.owner_id AND u.owner_id IS NOT NULL`,
        [ws, picks.map((x) => x.p.id), picks.map((x) => x.ownerId)],
      ),
  );
  const inserted = await tx.query<{ id: number; person_id: string }>(
    `INSERT INTO handoff_assignments (workspace_id, person_id, owner_id, previous_owner_id, rule_kind, rule_id, rule_name, trigger,
       source_event_id, actor_type, actor_id, at)
     SELECT $1, u.person_id, u.owner_id, u.previous_owner_id, u.rule_kind, u.rule_id, u.rule_name, $7, $8, $9, $10, $11
     FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $12::text[]) AS u(person_id, owner_id, previous_owner_id, rule_kind, rule_id, rule_name)
     RETURNING id, person_id`,
    [
      ws,
      picks.map((x) => x.p.id),
      picks.map((x) => x.ownerId ?? x.p.owner_id),
      picks.map((x) => x.p.owner_id),
      picks.map((x) => x.kind),
      picks.map((x) => x.ruleId),
      opts.trigger,
      opts.sourceEventId ?? null,
      actor.type,
      actor.id,
      now,
      picks.map((x) => x.ruleName),
    ],
  );
  const idOf = new Map(inserted.rows.map((r) => [r.person_id, r.id]));

  const moved = [...reps.values()].filter((r) => r.assignedCount !== before.get(r.userId));
  if (moved.length) {
    await tx.query(
      `INSERT INTO handoff_reps (workspace_id, user_id, assigned_count, last_assigned_at)
       SELECT $1, u.user_id, u.n, u.at FROM unnest($2::uuid[], $3::int8[], $4::timestamptz[]) AS u(user_id, n, at)
       ON CONFLICT (workspace_id, user_id) DO UPDATE SET assigned_count = EXCLUDED.assigned_count, last_assigned_at = EXCLUDED.last_assigned_at`,
      [
        ws,
        moved.map((r) => r.userId),
        moved.map((r) => r.assignedCount ?? 0),
        moved.map((r) => new Date(r.lastAssignedAt ?? rrStart)),
      ],
    );
  }

  // Open (or hand over) the SLA clock of everyone waiting in MQL; an open handoff keeps its clock.
  const waiting = picks.filter((x) => x.p.stage === 'mql');
  if (waiting.length) {
    await tx.query(
      `INSERT INTO handoffs (workspace_id, person_id, owner_id, mql_at, due_at)
       SELECT $1, u.person_id, u.owner_id, u.mql_at, u.due_at FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[]) AS u(person_id, owner_id, mql_at, due_at)
       ON CONFLICT (person_id) WHERE status = 'awaiting' DO UPDATE SET owner_id = EXCLUDED.owner_id`,
      [
        ws,
        waiting.map((x) => x.p.id),
        waiting.map((x) => x.ownerId ?? x.p.owner_id),
        waiting.map((x) => x.p.stage_changed_at),
        waiting.map((x) => dueAtFor(x.p.stage_changed_at, sla)),
      ],
    );
  }

  const results: AssignmentResult[] = picks.map((x) => {
    const ownerId = x.ownerId ?? x.p.owner_id;
    return {
      personId: x.p.id,
      ownerId,
      previousOwnerId: x.p.owner_id,
      ruleKind: x.kind,
      ruleId: x.ruleId,
      ruleName: x.ruleName,
      assignmentId: idOf.get(x.p.id) as number,
      changed: ownerId !== x.p.owner_id,
    };
  });
  const owned = results.filter((r) => picks.find((x) => x.p.id === r.personId)?.ownerId);
  if (owned.length) {
    await tx.query(
      `INSERT INTO audit_log (workspace_id, actor_type, actor_id, actor_label, action, entity_type, entity_id, changes, meta)
       SELECT $1, $2, $3, $4, 'person.assigned', 'person', u.person_id, u.changes::jsonb, u.meta::jsonb
       FROM unnest($5::text[], $6::text[], $7::text[]) AS u(person_id, changes, meta)`,
      [
        ws,
        actor.type,
        actor.id,
        actor.label,
        owned.map((r) => r.personId),
        owned.map((r) => (r.changed ? JSON.stringify({ ownerId: [r.previousOwnerId, r.ownerId] }) : null)),
        owned.map((r) => JSON.stringify({ rule: r.ruleKind, ruleId: r.ruleId, trigger: opts.trigger })),
      ],
    );
  }
  // The package, the person.assigned event and the owner's mail are built by one job per
  // assignment, so a bulk assignment answers at once and each notification happens once.
  const notify = owned.filter((r) => r.changed || opts.trigger === 'mql' || opts.trigger === 'sgl');
  await enqueueMany(
    tx,
    NOTIFY_QUEUE,
    notify.map((r) => ({
      payload: { assignmentId: r.assignmentId },
      key: `${NOTIFY_QUEUE}:${r.assignmentId}`,
    })),
  );
  return results;
}

/**
 * Tells the world about one assignment: `person.assigned` with the handoff package, and a mail
 * to the new owner unless they assigned themself. `notified_at` is set in the same
 * transaction, so a job that runs again does nothing.
 */
export async function notifyAssignment(
  tx: Queryable,
  ctx: Pick<AppContext, 'config'>,
  assignmentId: number,
  now: Date,
): Promise<boolean> {
  const r = await tx.query<{
    workspace_id: number;
    person_id: string;
    owner_id: string | null;
    previous_owner_id: string | null;
    rule_kind: string;
    rule_id: string | null;
    rule_name: string | null;
    trigger: string;
    actor_id: string | null;
  }>(
    `UPDATE handoff_assignments SET notified_at = $2 WHERE id = $1 AND notified_at IS NULL
     RETURNING workspace_id, person_id, owner_id, previous_owner_id, rule_kind, rule_id, rule_name, trigger, actor_id`,
    [assignmentId, now],
  );
  const a = r.rows[0];
  if (!a) return false;
  const pkg = await buildHandoffPackage(tx, a.workspace_id, a.person_id, now);
  await emitEvent(
    tx,
    a.workspace_id,
    'person.assigned',
    {
      personId: a.person_id,
      ownerId: a.owner_id,
      previousOwnerId: a.previous_owner_id,
      rule: { kind: a.rule_kind, id: a.rule_id, name: a.rule_name },
      trigger: a.trigger,
      assignmentId,
      handoff: pkg,
    },
    a.person_id,
  );
  if (!a.owner_id || a.owner_id === a.actor_id) return true;
  const owner = await tx.query<Recipient & { active: boolean }>(
    'SELECT id, email, name, locale, active FROM users WHERE id = $1',
    [a.owner_id],
  );
  if (owner.rows[0]?.active) await mailAssignment(tx, ctx, a.workspace_id, assignmentId, owner.rows[0], pkg);
  return true;
}
