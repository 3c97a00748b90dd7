import { createHash } from 'node:crypto';
import { withFunnelSyncDeferred } from '../../analytics/funnel-sync.ts';
import { mergeProfile, normalizeProfile, type ProfileValues } from '../../people/merge.ts';
import { emailDomain, isFreeMailDomain, normalizeCompanyName } from '../../people/normalize.ts';
import {
  PERSON_COLUMNS,
  type Person,
  type PersonRow,
  PROFILE_FIELDS,
  type ProfileField,
  toPerson,
} from '../../people/person.ts';
import { upsertPerson } from '../../people/store.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { subscriberJobsSql } from '../../platform/events.ts';
import { markForRescore } from '../../scoring/live.ts';
import { type Actor, diffFields } from '../../team/audit.ts';
import type { ImportRow } from './rows.ts';

export interface BatchContext {
  workspaceId: number;
  actor: Actor;
  importId: string;
  fileName: string;
  campaign: { id: string; status: string } | null;
  /** First-touch source and channel for new people, unless a column gives them. */
  source: string;
  channel: string | null;
  now: Date;
}

export interface BatchResult {
  created: number;
  updated: number;
  unchanged: number;
  campaignMembers: number;
}

const PROFILE_KEYS = Object.keys(PROFILE_FIELDS) as ProfileField[];
const TEXT_KEYS = PROFILE_KEYS.filter((k) => k !== 'employeeCount');

/** A row's idempotency key: the same values for the same e-mail (and campaign) are one import touch, however often imported. */
export function activityKey(row: ImportRow, campaignId: string | null, suffix = ''): string {
  const h = createHash('sha1')
    .update(row.fingerprint)
    .update(`\u0000${campaignId ?? ''}`)
    .digest('base64url');
  return `import:${h}${suffix}`;
}

function profileOf(p: Person): ProfileValues {
  const out: ProfileValues = {};
  for (const f of PROFILE_KEYS) out[f] = p[f] as string | number | null;
  return out;
}

interface Update {
  person: Person;
  changes: Record<string, unknown>;
}

/** What merging the rows would change, without writing: the existing people and the planned updates. */
export async function planBatch(q: Queryable, ws: number, rows: ImportRow[], lock: boolean) {
  // people_email_uq
  const r = await q.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND email = ANY($2::text[]) ${lock ? 'FOR UPDATE' : ''}`,
    [ws, rows.map((x) => x.email)],
  );
  const existing = new Map(r.rows.map((row) => [row.email, toPerson(row)]));
  const fresh: ImportRow[] = [];
  const updates: Update[] = [];
  let unchanged = 0;
  for (const row of rows) {
    const current = existing.get(row.email);
    if (!current) {
      fresh.push(row);
      continue;
    }
    const input = row.person;
    const changes: Record<string, unknown> = { ...mergeProfile(profileOf(current), normalizeProfile(input)) };
    if (!current.source && input.source) changes.source = input.source;
    if (!current.channel && input.channel) changes.channel = input.channel;
    if (input.consent === true && !current.consent) changes.consent = true;
    const custom = input.customFields ?? {};
    if (Object.entries(custom).some(([k, v]) => current.customFields[k] !== v))
      changes.customFields = { ...current.customFields, ...custom };
    if (Object.keys(changes).length > 0) updates.push({ person: current, changes });
    else unchanged++;
  }
  return { existing, fresh, updates, unchanged };
}

/**
 * Merges one batch of rows (distinct e-mails) into the database in a handful of set-based
 * statements: new people with their accounts and Inquiry transitions, merged updates (never
 * blanking a field, audited), one idempotent import activity per row, campaign memberships,
 * `person.created` events and a rescore of everyone touched.
 */
export async function writeBatch(q: Queryable, bc: BatchContext, rows: ImportRow[]): Promise<BatchResult> {
  const ws = bc.workspaceId;
  const plan = await planBatch(q, ws, rows, true);
  const ids = new Map<string, string>();
  for (const [email, p] of plan.existing) ids.set(email, p.id);

  const created = await insertPeople(q, bc, plan.fresh, ids);
  await updatePeople(q, bc, plan.updates);
  const touched = rows.map((r) => ids.get(r.email)).filter((x): x is string => Boolean(x));

  await insertImportActivities(q, bc, rows, ids);
  const campaignMembers = bc.campaign ? await joinCampaign(q, bc, rows, ids) : 0;
  await markForRescore(q, ws, touched);
  await recordCreated(q, bc, created);
  return {
    created: created.length,
    updated: plan.updates.length,
    unchanged: plan.unchanged + (plan.fresh.length - created.length),
    campaignMembers,
  };
}

async function accountsFor(
  q: Queryable,
  ws: number,
  rows: { email: string; profile: ProfileValues }[],
): Promise<Map<string, string>> {
  const byDomain = new Map<string, ProfileValues>();
  const companies = new Set<string>();
  for (const { email, profile } of rows) {
    const domain = emailDomain(email);
    if (!isFreeMailDomain(domain)) {
      const prior = byDomain.get(domain);
      if (!prior || (!prior.company && profile.company)) byDomain.set(domain, profile);
    } else if (profile.company) companies.add(normalizeCompanyName(String(profile.company)));
  }
  const out = new Map<string, string>();
  if (byDomain.size > 0) {
    const domains = [...byDomain.keys()];
    const hints = domains.map((d) => byDomain.get(d) as ProfileValues);
    const names = domains.map((d, i) => (hints[i].company as string | null) ?? d);
    await q.query(
      `INSERT INTO accounts (workspace_id, name, name_normalized, domain, industry, employee_count, prefecture)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[])
       ON CONFLICT (workspace_id, domain) WHERE domain IS NOT NULL DO NOTHING`,
      [
        ws,
        names,
        names.map((n) => normalizeCompanyName(n)),
        domains,
        hints.map((h) => h.industry ?? null),
        hints.map((h) => h.employeeCount ?? null),
        hints.map((h) => h.prefecture ?? null),
      ],
    );
    // An account first named after its domain takes the company name once one is known.
    await q.query(
      `UPDATE accounts a SET name = u.name, name_normalized = u.nn, updated_at = now()
       FROM unnest($2::text[], $3::text[], $4::text[]) AS u(domain, name, nn)
       WHERE a.workspace_id = $1 AND a.domain = u.domain AND a.name = a.domain AND u.name <> u.domain`,
      [ws, domains, names, names.map((n) => normalizeCompanyName(n))],
    );
    // accounts_domain_uq
    const r = await q.query<{ id: string; domain: string }>(
      'SELECT id, domain FROM accounts WHERE workspace_id = $1 AND domain = ANY($2::text[])',
      [ws, domains],
    );
    for (const a of r.rows) out.set(`d:${a.domain}`, a.id);
  }
  if (companies.size > 0) {
    // accounts_name_idx
    const r = await q.query<{ id: string; name_normalized: string }>(
      `SELECT DISTINCT ON (name_normalized) id, name_normalized FROM accounts
       WHERE workspace_id = $1 AND name_normalized = ANY($2::text[]) ORDER BY name_normalized, created_at`,
      [ws, [...companies]],
    );
    for (const a of r.rows) out.set(`n:${a.name_normalized}`, a.id);
  }
  return out;
}

interface CreatedPerson {
  id: string;
  created_at: Date;
  source: string | null;
  channel: string | null;
}

/** The batch's new people: their rows (Inquiries once recordCreated has run). */
async function insertPeople(
  q: Queryable,
  bc: BatchContext,
  fresh: ImportRow[],
  ids: Map<string, string>,
): Promise<CreatedPerson[]> {
  if (fresh.length === 0) return [];
  const ws = bc.workspaceId;
  const profiles = fresh.map((r) => ({ email: r.email, profile: normalizeProfile(r.person) }));
  const accounts = await accountsFor(q, ws, profiles);
  const accountOf = (email: string, p: ProfileValues) =>
    accounts.get(`d:${emailDomain(email)}`) ??
    (p.company ? accounts.get(`n:${normalizeCompanyName(String(p.company))}`) : undefined) ??
    null;
  const col = (k: ProfileField) => profiles.map((p) => p.profile[k] ?? null);
  const at = fresh.map((r) => r.occurredAt ?? bc.now);
  const sources = fresh.map((r) => r.person.source ?? bc.source);
  const channels = fresh.map((r) => r.person.channel ?? bc.channel);
  const params: unknown[] = [
    ws,
    fresh.map((r) => r.email),
    ...TEXT_KEYS.map((k) => col(k)),
    col('employeeCount'),
    sources,
    channels,
    profiles.map((p) => accountOf(p.email, p.profile)),
    fresh.map((r) => r.person.consent === true),
    fresh.map((r) => JSON.stringify(r.person.customFields ?? {})),
    at,
  ];
  const textCols = TEXT_KEYS.map((k) => PROFILE_FIELDS[k]);
  const n = TEXT_KEYS.length;
  const r = await q.query<CreatedPerson & { email: string }>(
    `INSERT INTO people (workspace_id, email, ${textCols.join(', ')}, employee_count, source, channel, account_id,
       consent, consent_at, custom_fields, stage_changed_at, created_at, updated_at)
     SELECT $1, u.email, ${textCols.map((c) => `u.${c}`).join(', ')}, u.employee_count, u.source, u.channel, u.account_id,
       u.consent, CASE WHEN u.consent THEN u.at END, u.custom::jsonb, u.at, u.at, now()
     FROM unnest($2::text[], ${textCols.map((_, i) => `$${i + 3}::text[]`).join(', ')}, $${n + 3}::int[], $${n + 4}::text[],
       $${n + 5}::text[], $${n + 6}::uuid[], $${n + 7}::boolean[], $${n + 8}::text[], $${n + 9}::timestamptz[])
       AS u(email, ${textCols.join(', ')}, employee_count, source, channel, account_id, consent, custom, at)
     ON CONFLICT (workspace_id, email) DO NOTHING
     RETURNING id, email, created_at, source, channel`,
    params,
  );
  for (const row of r.rows) ids.set(row.email, row.id);
  // Someone else created a few of these people meanwhile: merge into them one by one (rare).
  for (const row of fresh) {
    if (ids.has(row.email)) continue;
    const { person } = await upsertPerson(q, bc.actor, {
      ...row.person,
      source: row.person.source ?? bc.source,
      channel: row.person.channel ?? bc.channel,
    });
    ids.set(row.email, person.id);
  }
  return r.rows;
}

/**
 * The Inquiry transitions and `person.created` events of the people a batch created. Last in the
 * batch's transaction: the transitions add to the funnel rollups' rows of today, which every
 * concurrent form submission or ingest that creates a person needs too, and a row lock is held
 * until commit (see recordPeopleCreated in capture/intake/ensure-people.ts).
 */
async function recordCreated(q: Queryable, bc: BatchContext, created: CreatedPerson[]): Promise<void> {
  if (created.length === 0) return;
  const ws = bc.workspaceId;
  await q.query(
    `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type, actor_id, reason, meta)
     SELECT $1, p, NULL, 'inquiry', t, 'import', $3, s, $4::jsonb FROM unnest($2::uuid[], $5::timestamptz[], $6::text[]) AS u(p, t, s)`,
    [
      ws,
      created.map((x) => x.id),
      bc.actor.id,
      JSON.stringify({ importId: bc.importId }),
      created.map((x) => x.created_at),
      created.map((x) => x.source ?? x.channel),
    ],
  );
  await emitPeopleCreated(q, ws, created);
}

/** `person.created` for many people in one statement: the events, and their interested subscribers' jobs. */
async function emitPeopleCreated(
  q: Queryable,
  ws: number,
  people: { id: string; source: string | null; channel: string | null }[],
) {
  // Scoring gets one `scoring.refresh` job per batch for everyone touched instead of a job per new person.
  await q.query(
    `WITH ev AS (
       INSERT INTO events (workspace_id, type, person_id, data)
       SELECT $1, 'person.created', p, jsonb_build_object('personId', p, 'source', s, 'channel', c)
       FROM unnest($2::uuid[], $3::text[], $4::text[]) AS u(p, s, c)
       RETURNING id, workspace_id, type, person_id)
     ${subscriberJobsSql({ except: ['scoring.events'] })}`,
    [ws, people.map((p) => p.id), people.map((p) => p.source), people.map((p) => p.channel)],
  );
}

async function updatePeople(q: Queryable, bc: BatchContext, updates: Update[]) {
  if (updates.length === 0) return;
  const ws = bc.workspaceId;
  const val = (k: string) => updates.map((u) => (u.changes[k] as string | number | undefined) ?? null);
  const textCols = TEXT_KEYS.map((k) => PROFILE_FIELDS[k]);
  const n = TEXT_KEYS.length;
  const ids = updates.map((u) => u.person.id);
  // One sync of the funnel entries for the whole batch instead of one per person (migration 0508).
  await withFunnelSyncDeferred(q, ids, () =>
    q.query(
      `UPDATE people p SET ${textCols.map((c) => `${c} = coalesce(u.${c}, p.${c})`).join(', ')},
       employee_count = coalesce(u.employee_count, p.employee_count),
       source = coalesce(p.source, u.source), channel = coalesce(p.channel, u.channel),
       consent_at = CASE WHEN u.consent AND NOT p.consent THEN now() ELSE p.consent_at END,
       consent = p.consent OR u.consent,
       custom_fields = coalesce(u.custom::jsonb, p.custom_fields), updated_at = now()
     FROM unnest($2::uuid[], ${textCols.map((_, i) => `$${i + 3}::text[]`).join(', ')}, $${n + 3}::int[], $${n + 4}::text[],
       $${n + 5}::text[], $${n + 6}::boolean[], $${n + 7}::text[])
       AS u(id, ${textCols.join(', ')}, employee_count, source, channel, consent, custom)
     WHERE p.workspace_id = $1 AND p.id = u.id`,
      [
        ws,
        ids,
        ...TEXT_KEYS.map((k) => val(k)),
        val('employeeCount'),
        val('source'),
        val('channel'),
        updates.map((u) => u.changes.consent === true),
        updates.map((u) => (u.changes.customFields ? JSON.stringify(u.changes.customFields) : null)),
      ],
    ),
  );
  // The audit log keeps every merged change, as { field: [before, after] }.
  await q.query(
    `INSERT INTO audit_log (workspace_id, actor_type, actor_id, actor_label, action, entity_type, entity_id, changes, meta)
     SELECT $1, $2, $3, $4, 'person.updated', 'person', e, c::jsonb, $5::jsonb FROM unnest($6::text[], $7::text[]) AS u(e, c)`,
    [
      ws,
      bc.actor.type,
      bc.actor.id,
      bc.actor.label,
      JSON.stringify({ importId: bc.importId }),
      updates.map((u) => u.person.id),
      updates.map((u) =>
        JSON.stringify(diffFields(u.person as unknown as Record<string, unknown>, u.changes)),
      ),
    ],
  );
}

const CAMPAIGN_ACTIVITY: Record<string, string> = {
  attended: 'event_attended',
  registered: 'event_registered',
};

async function insertImportActivities(
  q: Queryable,
  bc: BatchContext,
  rows: ImportRow[],
  ids: Map<string, string>,
) {
  const keyed = rows.filter((r) => ids.has(r.email));
  const campaignId = bc.campaign?.id ?? null;
  const types: string[] = [];
  const people: string[] = [];
  const keys: string[] = [];
  const at: Date[] = [];
  const props: string[] = [];
  const campaigns: (string | null)[] = [];
  for (const r of keyed) {
    const base = { importId: bc.importId, fileName: bc.fileName, row: r.row };
    types.push('import');
    people.push(ids.get(r.email) as string);
    keys.push(activityKey(r, campaignId));
    at.push(r.occurredAt ?? bc.now);
    props.push(JSON.stringify(base));
    campaigns.push(campaignId);
    const campaignType = bc.campaign ? (CAMPAIGN_ACTIVITY[bc.campaign.status] ?? 'campaign_joined') : null;
    if (campaignType) {
      types.push(campaignType);
      people.push(ids.get(r.email) as string);
      keys.push(activityKey(r, campaignId, ':campaign'));
      at.push(r.occurredAt ?? bc.now);
      props.push(JSON.stringify({ ...base, status: bc.campaign?.status }));
      campaigns.push(campaignId);
    }
  }
  if (keys.length === 0) return;
  await q.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id, client_id)
     SELECT $1, p, t, o, pr::jsonb, c, k
     FROM unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::uuid[], $7::text[]) AS u(p, t, o, pr, c, k)
     ON CONFLICT (workspace_id, client_id) WHERE client_id IS NOT NULL DO NOTHING`,
    [bc.workspaceId, people, types, at, props, campaigns, keys],
  );
}

const STATUS_RANK: Record<string, number> = { member: 0, invited: 1, registered: 2, no_show: 3, attended: 4 };

async function joinCampaign(
  q: Queryable,
  bc: BatchContext,
  rows: ImportRow[],
  ids: Map<string, string>,
): Promise<number> {
  const campaign = bc.campaign as { id: string; status: string };
  const people = [...new Set(rows.map((r) => ids.get(r.email)).filter((x): x is string => Boolean(x)))];
  const joined = rows.map((r) => r.occurredAt ?? bc.now);
  // A membership only moves forward (invited → registered → attended), never back.
  const r = await q.query<{ inserted: boolean }>(
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at)
     SELECT $1, $2, p, $3, $5 FROM unnest($4::uuid[]) AS u(p)
     ON CONFLICT (campaign_id, person_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
       WHERE (CASE campaign_members.status ${Object.entries(STATUS_RANK)
         .map(([s, n]) => `WHEN '${s}' THEN ${n}`)
         .join(' ')} END) < $6
     RETURNING (xmax = 0) AS inserted`,
    [
      bc.workspaceId,
      campaign.id,
      campaign.status,
      people,
      joined[0] ?? bc.now,
      STATUS_RANK[campaign.status] ?? 0,
    ],
  );
  return r.rows.filter((x) => x.inserted).length;
}
