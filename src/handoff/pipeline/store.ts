import type { TransitionActorType } from '../../lifecycle/transitions.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.ts';
import { emitEvent } from '../../platform/events.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { type Actor, diffFields, recordAudit } from '../../team/audit.ts';
import {
  OPPORTUNITY_SELECT,
  type Opportunity,
  type OpportunityRow,
  type OpportunityStatus,
  opportunityEventData,
  toOpportunity,
} from './opportunity.ts';
import { movePersonForOpportunity } from './person-stage.ts';
import type { SalesStage } from './settings.ts';

export interface OpportunityInput {
  personId: string;
  name: string;
  amount: number;
  currency?: string;
  expectedCloseDate?: string | null;
  stage?: SalesStage;
  ownerId?: string | null;
  externalId?: string | null;
  description?: string | null;
  source?: string;
  /** Other people on the deal besides its lead. */
  contactIds?: string[];
}

export interface OpportunityPatch {
  status?: OpportunityStatus;
  lossReason?: string | null;
  amount?: number;
  name?: string;
  currency?: string;
  stage?: SalesStage;
  expectedCloseDate?: string | null;
  ownerId?: string | null;
  externalId?: string | null;
  description?: string | null;
  closedAt?: Date | null;
  /** Replaces the other people on the deal. */
  contactIds?: string[];
}

const actorTypeOf = (actor: Actor): TransitionActorType => (actor.type === 'system' ? 'system' : actor.type);

export async function getOpportunity(q: Queryable, workspaceId: number, id: string): Promise<Opportunity> {
  const r = await q.query<OpportunityRow>(`${OPPORTUNITY_SELECT} WHERE o.workspace_id = $1 AND o.id = $2`, [
    workspaceId,
    id,
  ]);
  if (!r.rows[0]) throw notFound('Opportunity', id);
  const c = await q.query<{
    id: string;
    email: string;
    last_name: string | null;
    first_name: string | null;
    stage: string;
  }>(
    `SELECT p.id, p.email, p.last_name, p.first_name, p.stage FROM opportunity_contacts c JOIN people p ON p.id = c.person_id
     WHERE c.opportunity_id = $1 ORDER BY c.created_at, p.email`,
    [id],
  );
  return {
    ...toOpportunity(r.rows[0]),
    contacts: c.rows.map((p) => ({
      id: p.id,
      email: p.email,
      name: [p.last_name, p.first_name].filter(Boolean).join(' ') || p.email,
      stage: p.stage,
    })),
  };
}

/** Replaces the other people on a deal (never its lead); unknown ids are a 422 naming contactIds. */
async function setContacts(
  q: Queryable,
  workspaceId: number,
  id: string,
  leadId: string | null,
  contactIds: string[],
): Promise<void> {
  const ids = [...new Set(contactIds)].filter((x) => x !== leadId);
  const known = await q.query<{ id: string }>(
    'SELECT id FROM people WHERE workspace_id = $1 AND id = ANY($2::uuid[])',
    [workspaceId, ids],
  );
  if (known.rows.length !== ids.length) throw invalid('contactIds', 'every contact must be a known person');
  await q.query('DELETE FROM opportunity_contacts WHERE opportunity_id = $1', [id]);
  await q.query(
    'INSERT INTO opportunity_contacts (workspace_id, opportunity_id, person_id) SELECT $1, $2, unnest($3::uuid[])',
    [workspaceId, id, ids],
  );
}

/** The lead first, then the other people on the deal. */
async function peopleOn(q: Queryable, id: string, leadId: string | null): Promise<string[]> {
  const r = await q.query<{ person_id: string }>(
    'SELECT person_id FROM opportunity_contacts WHERE opportunity_id = $1 ORDER BY created_at, person_id',
    [id],
  );
  return [...(leadId ? [leadId] : []), ...r.rows.map((x) => x.person_id)];
}

async function assertOwner(
  q: Queryable,
  workspaceId: number,
  ownerId: string | null | undefined,
): Promise<void> {
  if (!ownerId) return;
  const r = await q.query('SELECT 1 FROM users WHERE workspace_id = $1 AND id = $2 AND active', [
    workspaceId,
    ownerId,
  ]);
  if (r.rows.length === 0) throw invalid('ownerId', 'no active user with this id');
}

function translateUnique(err: unknown): never {
  if (isUniqueViolation(err, 'opportunities_external_uq'))
    throw invalid('externalId', 'another opportunity already has this external id');
  throw err;
}

/**
 * Opens an opportunity on a person (and the person's account) and moves the person to SQL —
 * through SGL when sales opens a deal on an untouched inquiry. A disqualified person is a 409.
 */
export async function createOpportunity(
  q: Queryable,
  actor: Actor,
  input: OpportunityInput,
): Promise<Opportunity> {
  const ws = actor.workspaceId;
  const p = await q.query<{ account_id: string | null; owner_id: string | null; stage: string }>(
    'SELECT account_id, owner_id, stage FROM people WHERE workspace_id = $1 AND id = $2',
    [ws, input.personId],
  );
  const person = p.rows[0];
  if (!person) throw invalid('personId', 'no person with this id');
  if (person.stage === 'disqualified') {
    throw conflict(
      'person-disqualified',
      'A disqualified person cannot get an opportunity; move them back to inquiry first',
    );
  }
  await assertOwner(q, ws, input.ownerId);
  const ownerId =
    input.ownerId !== undefined
      ? input.ownerId
      : (person.owner_id ?? (actor.type === 'user' ? actor.id : null));
  let id: string;
  try {
    const r = await q.query<{ id: string }>(
      `INSERT INTO opportunities (workspace_id, person_id, account_id, owner_id, name, amount, currency, stage,
                                  expected_close_date, external_id, description, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        ws,
        input.personId,
        person.account_id,
        ownerId,
        input.name,
        input.amount,
        input.currency ?? 'JPY',
        input.stage ?? 'qualification',
        input.expectedCloseDate ?? null,
        input.externalId ?? null,
        input.description ?? null,
        input.source ?? 'manual',
      ],
    );
    id = r.rows[0].id;
  } catch (err) {
    translateUnique(err);
  }
  if (input.contactIds?.length) await setContacts(q, ws, id, input.personId, input.contactIds);
  for (const personId of await peopleOn(q, id, input.personId)) {
    await movePersonForOpportunity(q, actor, {
      personId,
      target: 'sql',
      opportunityId: id,
      actorType: actorTypeOf(actor),
      actorId: actor.id,
      reason: input.name,
    });
  }
  const created = await getOpportunity(q, ws, id);
  await recordAudit(q, actor, {
    action: 'opportunity.created',
    entityType: 'opportunity',
    entityId: id,
    meta: { name: input.name },
  });
  await emitEvent(q, ws, 'opportunity.created', opportunityEventData(created), input.personId);
  return created;
}

/**
 * Edits an opportunity. Closing (won/lost) an open one records closedAt and moves its person to
 * Won or Lost; closing a closed one is a 409; lost needs a loss reason (422). Reopening moves
 * the person back to SQL.
 */
export async function updateOpportunity(
  q: Queryable,
  actor: Actor,
  id: string,
  patch: OpportunityPatch,
  opts: { actorType?: TransitionActorType; now?: Date } = {},
): Promise<Opportunity> {
  const ws = actor.workspaceId;
  const lock = await q.query<{ status: OpportunityStatus }>(
    'SELECT status FROM opportunities WHERE workspace_id = $1 AND id = $2 FOR UPDATE',
    [ws, id],
  );
  if (!lock.rows[0]) throw notFound('Opportunity', id);
  const before = await getOpportunity(q, ws, id);
  const closing = patch.status === 'won' || patch.status === 'lost';
  if (closing && before.status !== 'open') {
    throw conflict(
      'opportunity-closed',
      `This opportunity is already closed as ${before.status}; reopen it first`,
    );
  }
  if (patch.status === 'lost' && !(patch.lossReason ?? '').trim())
    throw invalid('lossReason', 'a lost opportunity needs a loss reason');
  if (patch.ownerId !== undefined) await assertOwner(q, ws, patch.ownerId);

  const reopening = patch.status === 'open' && before.status !== 'open';
  const status = patch.status ?? before.status;
  let closedAt = before.closedAt;
  if (closing) closedAt = patch.closedAt ?? opts.now ?? new Date();
  else if (reopening) closedAt = null;
  else if (patch.closedAt !== undefined && status !== 'open') closedAt = patch.closedAt;
  const lossReason = status === 'lost' ? patch.lossReason?.trim() || before.lossReason : null;
  if (status === 'lost' && !lossReason) throw invalid('lossReason', 'a lost opportunity needs a loss reason');
  const next = {
    name: patch.name ?? before.name,
    amount: patch.amount ?? before.amount,
    currency: patch.currency ?? before.currency,
    stage: patch.stage ?? before.stage,
    status,
    lossReason,
    expectedCloseDate:
      patch.expectedCloseDate !== undefined ? patch.expectedCloseDate : before.expectedCloseDate,
    ownerId: patch.ownerId !== undefined ? patch.ownerId : before.ownerId,
    externalId: patch.externalId !== undefined ? patch.externalId : before.externalId,
    description: patch.description !== undefined ? patch.description : before.description,
    closedAt,
  };
  try {
    await q.query(
      `UPDATE opportunities SET name = $3, amount = $4, currency = $5, stage = $6, status = $7, loss_reason = $8,
              expected_close_date = $9, owner_id = $10, external_id = $11, description = $12, closed_at = $13, updated_at = now()
       WHERE workspace_id = $1 AND id = $2`,
      [
        ws,
        id,
        next.name,
        next.amount,
        next.currency,
        next.stage,
        next.status,
        next.lossReason,
        next.expectedCloseDate,
        next.ownerId,
        next.externalId,
        next.description,
        next.closedAt,
      ],
    );
  } catch (err) {
    translateUnique(err);
  }
  const actorType = opts.actorType ?? actorTypeOf(actor);
  if (patch.contactIds !== undefined) await setContacts(q, ws, id, before.personId, patch.contactIds);
  // New people on an open deal join it in SQL; closing or reopening moves everyone on it.
  if (closing || reopening || (patch.contactIds !== undefined && status === 'open')) {
    for (const personId of await peopleOn(q, id, before.personId)) {
      await movePersonForOpportunity(q, actor, {
        personId,
        target: closing ? (status as 'won' | 'lost') : 'sql',
        opportunityId: id,
        actorType,
        actorId: actor.id,
        reason: status === 'lost' ? lossReason : before.name,
        at: closing && next.closedAt ? next.closedAt : undefined,
      });
    }
  }
  const after = await getOpportunity(q, ws, id);
  const changes = diffFields(
    { ...before, closedAt: before.closedAt?.toISOString() ?? null } as unknown as Record<string, unknown>,
    { ...next, closedAt: next.closedAt?.toISOString() ?? null },
  );
  const contactsBefore = (before.contacts ?? []).map((c) => c.id).sort();
  const contactsAfter = (after.contacts ?? []).map((c) => c.id).sort();
  if (JSON.stringify(contactsAfter) !== JSON.stringify(contactsBefore))
    changes.contactIds = [contactsBefore, contactsAfter];
  if (Object.keys(changes).length > 0) {
    await recordAudit(q, actor, {
      action: 'opportunity.updated',
      entityType: 'opportunity',
      entityId: id,
      changes,
    });
    const type = closing ? 'opportunity.closed' : reopening ? 'opportunity.reopened' : 'opportunity.updated';
    await emitEvent(
      q,
      ws,
      type,
      { ...opportunityEventData(after), fields: Object.keys(changes) },
      after.personId,
    );
  }
  return after;
}

export async function deleteOpportunity(q: Queryable, actor: Actor, id: string): Promise<void> {
  const r = await q.query<{ name: string; person_id: string | null }>(
    'DELETE FROM opportunities WHERE workspace_id = $1 AND id = $2 RETURNING name, person_id',
    [actor.workspaceId, id],
  );
  if (!r.rows[0]) throw notFound('Opportunity', id);
  await recordAudit(q, actor, {
    action: 'opportunity.deleted',
    entityType: 'opportunity',
    entityId: id,
    meta: { name: r.rows[0].name },
  });
  await emitEvent(
    q,
    actor.workspaceId,
    'opportunity.deleted',
    { opportunityId: id, personId: r.rows[0].person_id },
    r.rows[0].person_id,
  );
}

export interface OpportunityFilter {
  limit: number;
  cursor?: string;
  status?: OpportunityStatus[];
  stage?: SalesStage[];
  ownerId?: string;
  personId?: string;
  accountId?: string;
  q?: string;
}

/** Newest first (opportunities_ws_created_idx), filtered; keyset pagination on (created_at, id). */
export async function listOpportunities(q: Queryable, workspaceId: number, f: OpportunityFilter) {
  const where = ['o.workspace_id = $1'];
  const params: unknown[] = [workspaceId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.status?.length) add('o.status = ANY(?)', f.status);
  if (f.stage?.length) add('o.stage = ANY(?)', f.stage);
  if (f.ownerId) add('o.owner_id = ?', f.ownerId);
  if (f.personId) {
    add(
      `(o.person_id = ? OR EXISTS (SELECT 1 FROM opportunity_contacts c WHERE c.opportunity_id = o.id AND c.person_id = $${params.length + 1}))`,
      f.personId,
    );
  }
  if (f.accountId) add('o.account_id = ?', f.accountId);
  if (f.q)
    add(
      `(o.name ILIKE ? OR p.email ILIKE $${params.length + 1} OR a.name ILIKE $${params.length + 1})`,
      `%${f.q.replace(/[\\%_]/g, '\\$&')}%`,
    );
  const cursor = decodeCursor(f.cursor, 2);
  if (cursor) {
    params.push(cursor[0], cursor[1]);
    where.push(`(o.created_at, o.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(f.limit + 1);
  const r = await q.query<OpportunityRow>(
    `${OPPORTUNITY_SELECT} WHERE ${where.join(' AND ')} ORDER BY o.created_at DESC, o.id DESC LIMIT $${params.length}`,
    params,
  );
  // The cursor keeps created_at to the microsecond (a Date keeps milliseconds only).
  const page = toPage(r.rows, f.limit, (last) => [last.created_exact, last.id]);
  return { items: page.items.map(toOpportunity), nextCursor: page.nextCursor };
}

export interface PipelineColumn {
  stage: string;
  count: number;
  /** Sums per currency, e.g. { JPY: 12000000 }. */
  amounts: Record<string, number>;
}

/** Open deals per sales stage, and won/lost in the period, with their sums per currency. */
export async function pipelineSummary(
  q: Queryable,
  workspaceId: number,
  f: { ownerId?: string; closedFrom?: string; closedTo?: string },
): Promise<{ open: PipelineColumn[]; won: PipelineColumn; lost: PipelineColumn }> {
  const r = await q.query<{ bucket: string; currency: string; n: number; total: number }>(
    `SELECT CASE WHEN status = 'open' THEN stage ELSE status END AS bucket, currency, count(*) AS n, coalesce(sum(amount), 0) AS total
     FROM opportunities
     WHERE workspace_id = $1 AND ($2::uuid IS NULL OR owner_id = $2)
       AND (status = 'open' OR (($3::date IS NULL OR closed_at >= $3::date) AND ($4::date IS NULL OR closed_at < $4::date + 1)))
     GROUP BY 1, 2`,
    [workspaceId, f.ownerId ?? null, f.closedFrom ?? null, f.closedTo ?? null],
  );
  const column = (bucket: string): PipelineColumn => {
    const rows = r.rows.filter((x) => x.bucket === bucket);
    return {
      stage: bucket,
      count: rows.reduce((s, x) => s + Number(x.n), 0),
      amounts: Object.fromEntries(rows.map((x) => [x.currency, Number(x.total)])),
    };
  };
  return {
    open: ['qualification', 'proposal', 'quote', 'negotiation'].map(column),
    won: column('won'),
    lost: column('lost'),
  };
}
