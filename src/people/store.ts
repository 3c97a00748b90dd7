import type { Queryable } from '../platform/db/client.ts';
import { AppError, invalid, notFound } from '../platform/errors.ts';
import { emitEvent } from '../platform/events.ts';
import { type Actor, diffFields, recordAudit } from '../team/audit.ts';
import { resolveAccount } from './accounts.ts';
import { mergeProfile, normalizeProfile, type ProfileValues } from './merge.ts';
import { cleanText, normalizeEmail } from './normalize.ts';
import {
  PERSON_COLUMNS,
  PROFILE_FIELDS,
  type Person,
  type PersonInput,
  type PersonRow,
  type ProfileField,
  toPerson,
} from './person.ts';

export async function getPerson(q: Queryable, workspaceId: number, id: string): Promise<Person> {
  const r = await q.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND id = $2`, [
    workspaceId,
    id,
  ]);
  if (!r.rows[0]) throw notFound('Person', id);
  return toPerson(r.rows[0]);
}

export async function findPersonByEmail(q: Queryable, workspaceId: number, email: string): Promise<Person | undefined> {
  const normalized = normalizeEmail(email);
  if (!normalized) return undefined;
  const r = await q.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND email = $2`, [
    workspaceId,
    normalized,
  ]);
  return r.rows[0] ? toPerson(r.rows[0]) : undefined;
}

function profileOf(p: Person): ProfileValues {
  const out: ProfileValues = {};
  for (const f of Object.keys(PROFILE_FIELDS) as ProfileField[]) out[f] = p[f] as string | number | null;
  return out;
}

export interface UpsertOptions {
  /** When the person first showed up (imports of history). (Default: now) */
  at?: Date;
  actorType?: 'user' | 'api_key' | 'system' | 'import';
}

/**
 * Creates a person, or merges into the one with the same e-mail (case-insensitive, NFKC):
 * newer non-empty values win, empty values never blank a field, and the first-touch source
 * and channel are never overwritten. A new person enters the waterfall as an Inquiry.
 */
export async function upsertPerson(
  q: Queryable,
  actor: Actor,
  input: PersonInput,
  opts: UpsertOptions = {},
): Promise<{ person: Person; created: boolean }> {
  const email = normalizeEmail(input.email);
  if (!email) throw invalid('email', 'not a valid e-mail address');
  const profile = normalizeProfile(input);
  const ws = actor.workspaceId;
  const existing = await q.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND email = $2 FOR UPDATE`,
    [ws, email],
  );
  if (existing.rows[0]) {
    const current = toPerson(existing.rows[0]);
    const changes = mergeProfile(profileOf(current), profile);
    const extra: Record<string, unknown> = {};
    if (!current.source && cleanText(input.source)) extra.source = cleanText(input.source);
    if (!current.channel && cleanText(input.channel)) extra.channel = cleanText(input.channel);
    if (input.consent === true && !current.consent) extra.consent = true;
    if (input.ownerId && !current.ownerId) extra.ownerId = input.ownerId;
    const custom = input.customFields ? { ...current.customFields, ...dropEmpty(input.customFields) } : undefined;
    if (custom && JSON.stringify(custom) !== JSON.stringify(current.customFields)) extra.customFields = custom;
    const all = { ...changes, ...extra };
    if (Object.keys(all).length === 0) return { person: current, created: false };
    const person = await writeFields(q, ws, current.id, all);
    await recordAudit(q, actor, {
      action: 'person.updated',
      entityType: 'person',
      entityId: person.id,
      changes: diffFields(current as unknown as Record<string, unknown>, all),
    });
    return { person, created: false };
  }
  const accountId = await resolveAccount(q, ws, email, {
    company: profile.company as string | null,
    industry: profile.industry as string | null,
    employeeCount: profile.employeeCount as number | null,
    prefecture: profile.prefecture as string | null,
  });
  const at = opts.at ?? new Date();
  const r = await q.query<PersonRow>(
    `INSERT INTO people (workspace_id, email, last_name, first_name, last_name_kana, first_name_kana, company,
       department, title, phone, industry, employee_count, prefecture, country, source, channel, owner_id,
       account_id, consent, consent_at, custom_fields, stage_changed_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
       CASE WHEN $19 THEN $20::timestamptz END, $21, $20, $20, $20)
     RETURNING ${PERSON_COLUMNS}`,
    [
      ws,
      email,
      profile.lastName ?? null,
      profile.firstName ?? null,
      profile.lastNameKana ?? null,
      profile.firstNameKana ?? null,
      profile.company ?? null,
      profile.department ?? null,
      profile.title ?? null,
      profile.phone ?? null,
      profile.industry ?? null,
      profile.employeeCount ?? null,
      profile.prefecture ?? null,
      profile.country ?? null,
      cleanText(input.source) ?? null,
      cleanText(input.channel) ?? null,
      input.ownerId ?? null,
      accountId,
      input.consent ?? false,
      at,
      JSON.stringify(dropEmpty(input.customFields ?? {})),
    ],
  );
  const person = toPerson(r.rows[0]);
  await q.query(
    `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type, actor_id, reason)
     VALUES ($1, $2, NULL, 'inquiry', $3, $4, $5, $6)`,
    [ws, person.id, at, opts.actorType ?? actor.type, actor.id, person.source ?? person.channel ?? null],
  );
  await recordAudit(q, actor, { action: 'person.created', entityType: 'person', entityId: person.id });
  await emitEvent(q, ws, 'person.created', { personId: person.id, source: person.source, channel: person.channel }, person.id);
  return { person, created: true };
}

function dropEmpty(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined && v !== ''));
}

const WRITABLE: Record<string, string> = {
  ...PROFILE_FIELDS,
  source: 'source',
  channel: 'channel',
  ownerId: 'owner_id',
  consent: 'consent',
  customFields: 'custom_fields',
  email: 'email',
};

async function writeFields(q: Queryable, ws: number, id: string, fields: Record<string, unknown>): Promise<Person> {
  const sets: string[] = [];
  const params: unknown[] = [ws, id];
  for (const [key, value] of Object.entries(fields)) {
    const column = WRITABLE[key];
    if (!column) continue;
    params.push(key === 'customFields' ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}`);
    if (key === 'consent') sets.push(`consent_at = CASE WHEN $${params.length}::boolean THEN now() END`);
  }
  const r = await q.query<PersonRow>(
    `UPDATE people SET ${sets.join(', ')}, updated_at = now() WHERE workspace_id = $1 AND id = $2
     RETURNING ${PERSON_COLUMNS}`,
    params,
  );
  if (!r.rows[0]) throw notFound('Person', id);
  return toPerson(r.rows[0]);
}

export type PersonPatch = Partial<Omit<PersonInput, 'email'>> & { email?: string };

/** Explicit edits: unlike an upsert, a PATCH may blank a field by sending null. */
export async function updatePerson(q: Queryable, actor: Actor, id: string, patch: PersonPatch): Promise<Person> {
  const ws = actor.workspaceId;
  const r = await q.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
    [ws, id],
  );
  if (!r.rows[0]) throw notFound('Person', id);
  const current = toPerson(r.rows[0]);
  const fields: Record<string, unknown> = { ...normalizeProfile(patch) };
  if (patch.email !== undefined) {
    const email = normalizeEmail(patch.email);
    if (!email) throw invalid('email', 'not a valid e-mail address');
    if (email !== current.email) {
      const taken = await findPersonByEmail(q, ws, email);
      if (taken) throw new AppError(409, 'duplicate', 'Conflict', `Another person has the e-mail ${email}`);
      fields.email = email;
    }
  }
  for (const key of ['source', 'channel'] as const) {
    if (patch[key] !== undefined) fields[key] = cleanText(patch[key]) ?? null;
  }
  if (patch.ownerId !== undefined) fields.ownerId = patch.ownerId;
  if (patch.consent !== undefined) fields.consent = patch.consent;
  if (patch.customFields !== undefined) fields.customFields = { ...current.customFields, ...patch.customFields };
  const changes = diffFields(current as unknown as Record<string, unknown>, fields);
  if (Object.keys(changes).length === 0) return current;
  const changed = Object.fromEntries(Object.keys(changes).map((k) => [k, fields[k]]));
  const person = await writeFields(q, ws, id, changed);
  await recordAudit(q, actor, { action: 'person.updated', entityType: 'person', entityId: id, changes });
  if ('ownerId' in changed) {
    await emitEvent(q, ws, 'person.assigned', { personId: id, ownerId: changed.ownerId ?? null, rule: 'manual' }, id);
  }
  await emitEvent(q, ws, 'person.updated', { personId: id, fields: Object.keys(changed) }, id);
  return person;
}

/**
 * Erasure (APPI / GDPR): deletes the person with their activities, transitions and
 * memberships. The audit entry keeps only the id, never the personal data.
 */
export async function deletePerson(q: Queryable, actor: Actor, id: string): Promise<void> {
  const r = await q.query('DELETE FROM people WHERE workspace_id = $1 AND id = $2', [actor.workspaceId, id]);
  if (r.affectedRows === 0) throw notFound('Person', id);
  await q.query('DELETE FROM events WHERE workspace_id = $1 AND person_id = $2', [actor.workspaceId, id]);
  await recordAudit(q, actor, { action: 'person.erased', entityType: 'person', entityId: id });
}
