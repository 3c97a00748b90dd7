import { DEFAULT_CHANNELS } from '../people/channels.ts';
import { normalizeEmail } from '../people/normalize.ts';
import { upsertPerson } from '../people/store.ts';
import type { Queryable } from '../platform/db/client.ts';
import { conflict, invalid, isUniqueViolation, notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/pagination.ts';
import { markForRescore } from '../scoring/live.ts';
import { type Actor, diffFields, recordAudit } from '../team/audit.ts';

export const MEMBER_STATUSES = ['member', 'invited', 'registered', 'attended', 'no_show'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export interface Campaign {
  id: string;
  name: string;
  channel: string;
  description: string | null;
  startsOn: string | null;
  endsOn: string | null;
  cost: number;
  currency: string;
  members: number;
  statuses: Record<MemberStatus, number>;
  createdAt: Date;
  updatedAt: Date;
}

export interface CampaignInput {
  name: string;
  channel: string;
  description?: string | null;
  startsOn?: string | null;
  endsOn?: string | null;
  cost?: number;
  currency?: string;
}

interface CampaignRow {
  id: string;
  name: string;
  channel: string;
  description: string | null;
  starts_on: string | null;
  ends_on: string | null;
  cost: number;
  currency: string;
  created_at: Date;
  updated_at: Date;
  statuses: Record<string, number> | null;
}

const SELECT = `SELECT c.id, c.name, c.channel, c.description, c.starts_on, c.ends_on, c.cost, c.currency, c.created_at, c.updated_at,
  (SELECT jsonb_object_agg(s.status, s.n) FROM (SELECT m.status, count(*) AS n FROM campaign_members m WHERE m.campaign_id = c.id GROUP BY m.status) s) AS statuses
  FROM campaigns c`;

function toCampaign(r: CampaignRow): Campaign {
  const statuses = Object.fromEntries(
    MEMBER_STATUSES.map((s) => [s, Number(r.statuses?.[s] ?? 0)]),
  ) as Record<MemberStatus, number>;
  return {
    id: r.id,
    name: r.name,
    channel: r.channel,
    description: r.description,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    cost: r.cost,
    currency: r.currency,
    members: Object.values(statuses).reduce((a, b) => a + b, 0),
    statuses,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Channel keys a campaign may use: the defaults plus any added in settings (`channels`). */
export async function channelKeys(q: Queryable, ws: number): Promise<Set<string>> {
  const r = await q.query<{ value: unknown }>(
    `SELECT value FROM settings WHERE workspace_id = $1 AND key = 'channels'`,
    [ws],
  );
  const extra = Array.isArray(r.rows[0]?.value)
    ? (r.rows[0].value as { key?: unknown }[])
        .map((c) => c?.key)
        .filter((k): k is string => typeof k === 'string')
    : [];
  return new Set([...DEFAULT_CHANNELS.map((c) => c.key), ...extra]);
}

async function checkInput(
  q: Queryable,
  ws: number,
  input: Partial<CampaignInput>,
  current?: Campaign,
): Promise<void> {
  if (input.channel !== undefined && !(await channelKeys(q, ws)).has(input.channel)) {
    throw invalid(
      'channel',
      `unknown channel "${input.channel}"; use one of ${[...(await channelKeys(q, ws))].join(', ')}`,
    );
  }
  const starts = input.startsOn !== undefined ? input.startsOn : (current?.startsOn ?? null);
  const ends = input.endsOn !== undefined ? input.endsOn : (current?.endsOn ?? null);
  if (starts && ends && ends < starts) throw invalid('endsOn', 'must be on or after startsOn');
}

export async function getCampaign(q: Queryable, ws: number, id: string): Promise<Campaign> {
  const r = await q.query<CampaignRow>(`${SELECT} WHERE c.workspace_id = $1 AND c.id = $2`, [ws, id]);
  if (!r.rows[0]) throw notFound('Campaign', id);
  return toCampaign(r.rows[0]);
}

export async function listCampaigns(
  q: Queryable,
  ws: number,
  f: { channel?: string; q?: string },
): Promise<Campaign[]> {
  const r = await q.query<CampaignRow>(
    `${SELECT} WHERE c.workspace_id = $1 AND ($2::text IS NULL OR c.channel = $2)
       AND ($3::text IS NULL OR lower(c.name) LIKE '%' || lower($3) || '%')
     ORDER BY c.starts_on DESC NULLS LAST, c.name`,
    [ws, f.channel ?? null, f.q?.normalize('NFKC') ?? null],
  );
  return r.rows.map(toCampaign);
}

const nameTaken = (name: string) =>
  conflict('duplicate-campaign', `A campaign named "${name}" exists already`);

export async function createCampaign(q: Queryable, actor: Actor, input: CampaignInput): Promise<Campaign> {
  await checkInput(q, actor.workspaceId, input);
  try {
    const r = await q.query<{ id: string }>(
      `INSERT INTO campaigns (workspace_id, name, channel, description, starts_on, ends_on, cost, currency)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        actor.workspaceId,
        input.name.trim(),
        input.channel,
        input.description ?? null,
        input.startsOn ?? null,
        input.endsOn ?? null,
        input.cost ?? 0,
        input.currency ?? 'JPY',
      ],
    );
    const campaign = await getCampaign(q, actor.workspaceId, r.rows[0].id);
    await recordAudit(q, actor, {
      action: 'campaign.created',
      entityType: 'campaign',
      entityId: campaign.id,
      meta: { name: campaign.name },
    });
    return campaign;
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

export async function updateCampaign(
  q: Queryable,
  actor: Actor,
  id: string,
  input: Partial<CampaignInput>,
): Promise<Campaign> {
  const current = await getCampaign(q, actor.workspaceId, id);
  await checkInput(q, actor.workspaceId, input, current);
  const columns: Record<keyof CampaignInput, string> = {
    name: 'name',
    channel: 'channel',
    description: 'description',
    startsOn: 'starts_on',
    endsOn: 'ends_on',
    cost: 'cost',
    currency: 'currency',
  };
  const sets: string[] = [];
  const params: unknown[] = [actor.workspaceId, id];
  for (const [key, col] of Object.entries(columns) as [keyof CampaignInput, string][]) {
    if (input[key] === undefined) continue;
    params.push(key === 'name' ? String(input.name).trim() : input[key]);
    sets.push(`${col} = $${params.length}`);
  }
  if (sets.length === 0) return current;
  try {
    await q.query(
      `UPDATE campaigns SET ${sets.join(', ')}, updated_at = now() WHERE workspace_id = $1 AND id = $2`,
      params,
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(String(input.name));
    throw err;
  }
  const after = await getCampaign(q, actor.workspaceId, id);
  const pick = (c: Campaign) => ({
    name: c.name,
    channel: c.channel,
    description: c.description,
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    cost: c.cost,
    currency: c.currency,
  });
  await recordAudit(q, actor, {
    action: 'campaign.updated',
    entityType: 'campaign',
    entityId: id,
    changes: diffFields(pick(current), pick(after)),
  });
  return after;
}

/** Deletes a campaign and its member list; activities keep their campaign id for the record. */
export async function deleteCampaign(q: Queryable, actor: Actor, id: string): Promise<void> {
  const current = await getCampaign(q, actor.workspaceId, id);
  await q.query('DELETE FROM campaigns WHERE workspace_id = $1 AND id = $2', [actor.workspaceId, id]);
  await recordAudit(q, actor, {
    action: 'campaign.deleted',
    entityType: 'campaign',
    entityId: id,
    meta: { name: current.name, members: current.members },
  });
}

export interface Member {
  personId: string;
  email: string;
  name: string;
  company: string | null;
  stage: string;
  status: MemberStatus;
  joinedAt: Date;
  updatedAt: Date;
}

export async function listMembers(
  q: Queryable,
  ws: number,
  campaignId: string,
  f: { status?: MemberStatus; limit: number; cursor?: string },
): Promise<{ items: Member[]; nextCursor: string | null }> {
  await getCampaign(q, ws, campaignId);
  const cursor = decodeCursor(f.cursor, 2);
  const r = await q.query<{
    person_id: string;
    email: string;
    last_name: string | null;
    first_name: string | null;
    company: string | null;
    stage: string;
    status: MemberStatus;
    joined_at: Date;
    updated_at: Date;
  }>(
    `SELECT m.person_id, p.email, p.last_name, p.first_name, p.company, p.stage, m.status, m.joined_at, m.updated_at
     FROM campaign_members m JOIN people p ON p.id = m.person_id
     WHERE m.workspace_id = $1 AND m.campaign_id = $2 AND ($3::text IS NULL OR m.status = $3)
       AND ($4::timestamptz IS NULL OR (m.joined_at, m.person_id) < ($4::timestamptz, $5::uuid))
     ORDER BY m.joined_at DESC, m.person_id DESC LIMIT $6`,
    [ws, campaignId, f.status ?? null, cursor?.[0] ?? null, cursor?.[1] ?? null, f.limit + 1],
  );
  const rows = r.rows.slice(0, f.limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map((x) => ({
      personId: x.person_id,
      email: x.email,
      name: [x.last_name, x.first_name].filter(Boolean).join(' ') || x.email,
      company: x.company,
      stage: x.stage,
      status: x.status,
      joinedAt: x.joined_at,
      updatedAt: x.updated_at,
    })),
    nextCursor:
      r.rows.length > f.limit && last ? encodeCursor([last.joined_at.toISOString(), last.person_id]) : null,
  };
}

export interface MemberInput {
  personId?: string;
  email?: string;
  status?: MemberStatus;
  /** When the person joined (registered, was met at the booth…); default now. */
  joinedAt?: string;
}

/** The activity a status change records, so scoring and the timeline see the event. */
const STATUS_ACTIVITY: Partial<Record<MemberStatus, string>> = {
  registered: 'event_registered',
  attended: 'event_attended',
};

/**
 * Adds people to a campaign or changes their status. People are named by id or e-mail; an
 * unknown e-mail becomes a new Inquiry from the campaign's channel. A move to registered or
 * attended also records the matching activity (with the campaign) and rescoring.
 */
export async function upsertMembers(
  q: Queryable,
  actor: Actor,
  campaignId: string,
  items: MemberInput[],
  now: Date,
): Promise<{ added: number; updated: number; unchanged: number; created: number }> {
  const ws = actor.workspaceId;
  const campaign = await getCampaign(q, ws, campaignId);
  const ids: string[] = [];
  let created = 0;
  for (const [i, item] of items.entries()) {
    if (item.personId) {
      const r = await q.query<{ id: string }>('SELECT id FROM people WHERE workspace_id = $1 AND id = $2', [
        ws,
        item.personId,
      ]);
      if (!r.rows[0]) throw invalid(`items[${i}].personId`, 'no person with this id');
      ids.push(r.rows[0].id);
    } else if (item.email) {
      if (!normalizeEmail(item.email)) throw invalid(`items[${i}].email`, 'not a valid e-mail address');
      const { person, created: isNew } = await upsertPerson(q, actor, {
        email: item.email,
        channel: campaign.channel,
        source: campaign.name,
      });
      if (isNew) created++;
      ids.push(person.id);
    } else {
      throw invalid(`items[${i}]`, 'needs personId or email');
    }
  }
  const statuses = items.map((x) => x.status ?? 'member');
  const joined = items.map((x) => (x.joinedAt ? new Date(x.joinedAt) : now));
  const r = await q.query<{
    person_id: string;
    status: MemberStatus;
    previous: MemberStatus | null;
    inserted: boolean;
  }>(
    `WITH input AS (
       SELECT DISTINCT ON (person_id) person_id, status, joined_at FROM unnest($3::uuid[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS u(person_id, status, joined_at, n)
       ORDER BY person_id, n DESC
     ), before AS (
       SELECT m.person_id, m.status FROM campaign_members m JOIN input USING (person_id) WHERE m.campaign_id = $2
     )
     INSERT INTO campaign_members AS m (workspace_id, campaign_id, person_id, status, joined_at, updated_at)
     SELECT $1, $2, person_id, status, joined_at, $6 FROM input
     ON CONFLICT (campaign_id, person_id) DO UPDATE SET status = EXCLUDED.status,
       updated_at = CASE WHEN m.status = EXCLUDED.status THEN m.updated_at ELSE EXCLUDED.updated_at END
     RETURNING m.person_id, m.status, (SELECT b.status FROM before b WHERE b.person_id = m.person_id) AS previous, xmax = 0 AS inserted`,
    [ws, campaignId, ids, statuses, joined, now],
  );
  const changed = r.rows.filter((x) => x.previous !== x.status);
  const acts = changed.filter((x) => STATUS_ACTIVITY[x.status]);
  if (acts.length) {
    await q.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id)
       SELECT $1, person_id, type, $4, jsonb_build_object('campaign', $5::text), $2 FROM unnest($3::uuid[], $6::text[]) AS u(person_id, type)`,
      [
        ws,
        campaignId,
        acts.map((x) => x.person_id),
        now,
        campaign.name,
        acts.map((x) => STATUS_ACTIVITY[x.status]),
      ],
    );
    await markForRescore(
      q,
      ws,
      acts.map((x) => x.person_id),
    );
  }
  if (changed.length) {
    await recordAudit(q, actor, {
      action: 'campaign.members_changed',
      entityType: 'campaign',
      entityId: campaignId,
      meta: { added: r.rows.filter((x) => x.inserted).length, changed: changed.length },
    });
  }
  return {
    added: r.rows.filter((x) => x.inserted).length,
    updated: changed.filter((x) => !x.inserted).length,
    unchanged: r.rows.length - changed.length,
    created,
  };
}

export async function removeMember(
  q: Queryable,
  actor: Actor,
  campaignId: string,
  personId: string,
): Promise<void> {
  await getCampaign(q, actor.workspaceId, campaignId);
  const r = await q.query(
    'DELETE FROM campaign_members WHERE workspace_id = $1 AND campaign_id = $2 AND person_id = $3',
    [actor.workspaceId, campaignId, personId],
  );
  if (r.affectedRows === 0) throw notFound('Campaign member', personId);
  await recordAudit(q, actor, {
    action: 'campaign.member_removed',
    entityType: 'campaign',
    entityId: campaignId,
    meta: { personId },
  });
}
