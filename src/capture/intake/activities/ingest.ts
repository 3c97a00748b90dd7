import type { Queryable } from '../../../platform/db/client.ts';
import { invalid } from '../../../platform/errors.ts';
import { markForRescore } from '../../../scoring/live.ts';
import type { Actor } from '../../../team/audit.ts';
import { ensurePeopleByEmail, recordPeopleCreated, type WantedPerson } from '../ensure-people.ts';
import { firstTouch, pickUtm } from '../first-touch.ts';
import { type ActivityDraft, validationError } from './parse.ts';

export interface IngestedItem {
  index: number;
  personId: string;
  /** False when an activity with the same client id was already ingested. */
  created: boolean;
}

export interface IngestResult {
  inserted: number;
  duplicates: number;
  peopleCreated: number;
  items: IngestedItem[];
  /** The activity id, for a single activity that was inserted. */
  activityId?: string;
}

// Campaign membership moves forward only: registering, then attending, never back.
const MEMBER_STATUS_BY_TYPE: Partial<Record<ActivityDraft['type'], string>> = {
  event_registered: 'registered',
  event_attended: 'attended',
};
const STATUS_RANK = `ARRAY['member', 'invited', 'registered', 'no_show', 'attended']`;

/**
 * Ingests validated activities set-based, in the caller's transaction: a fixed number of
 * statements whatever the batch size (people, activities, memberships, one scoring job).
 * Unknown e-mails become Inquiries (their transitions last); an activity whose client id was seen
 * before is skipped.
 */
export async function ingestActivities(
  q: Queryable,
  actor: Actor,
  drafts: ActivityDraft[],
  batch: boolean,
): Promise<IngestResult> {
  const ws = actor.workspaceId;
  const path = (d: ActivityDraft, field: string) => (batch ? `items[${d.index}].${field}` : field);
  await checkReferences(q, ws, drafts, path);

  const wanted = new Map<string, WantedPerson>();
  for (const d of drafts) {
    if (!d.email || d.personId) continue;
    const w = wanted.get(d.email);
    if (!w) {
      const touch = firstTouch(pickUtm(d.properties), stringOr(d.properties.referrer), {
        source: null,
        channel: 'api',
      });
      wanted.set(d.email, {
        email: d.email,
        source: d.source ?? touch.source ?? 'api',
        channel: d.channel ?? touch.channel,
        at: d.occurredAt,
      });
    } else if (d.occurredAt < w.at) {
      w.at = d.occurredAt;
    }
  }
  const people = await ensurePeopleByEmail(q, actor, [...wanted.values()]);
  const personOf = (d: ActivityDraft) => d.personId ?? (people.idByEmail.get(d.email ?? '') as string);

  const hasClientIds = drafts.some((d) => d.clientId);
  const r = await q.query<{ id: number; client_id: string | null }>(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id, client_id)
     SELECT $1, p, t, o, pr::jsonb, c, k
     FROM unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::uuid[], $7::text[]) AS u(p, t, o, pr, c, k)
     ON CONFLICT (workspace_id, client_id) WHERE client_id IS NOT NULL DO NOTHING
     ${hasClientIds || drafts.length === 1 ? 'RETURNING id, client_id' : ''}`,
    [
      ws,
      drafts.map(personOf),
      drafts.map((d) => d.type),
      drafts.map((d) => d.occurredAt),
      drafts.map((d) => d.propertiesJson),
      drafts.map((d) => d.campaignId),
      drafts.map((d) => d.clientId),
    ],
  );
  const fresh = new Set(r.rows.map((row) => row.client_id));
  const seen = new Set<string>();
  const items: IngestedItem[] = drafts.map((d) => {
    let created = true;
    if (d.clientId) {
      created = fresh.has(d.clientId) && !seen.has(d.clientId);
      seen.add(d.clientId);
    }
    return { index: d.index, personId: personOf(d), created };
  });
  const kept = drafts.filter((_, i) => items[i].created);

  await joinCampaigns(q, ws, kept, personOf);
  const unsubscribed = [...new Set(kept.filter((d) => d.type === 'unsubscribe').map(personOf))];
  if (unsubscribed.length > 0) {
    await q.query(
      `UPDATE people SET unsubscribed_at = coalesce(unsubscribed_at, now()), consent = false, updated_at = now()
       WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      [ws, unsubscribed],
    );
  }
  const touched = [...new Set(kept.map(personOf))];
  await markForRescore(q, ws, touched);
  // Last: its funnel rollup rows are shared with every concurrent ingest (see recordPeopleCreated).
  await recordPeopleCreated(q, actor, people.createdIds);

  const inserted = kept.length;
  return {
    inserted,
    duplicates: drafts.length - inserted,
    peopleCreated: people.createdIds.length,
    items,
    ...(drafts.length === 1 && r.rows[0] ? { activityId: String(r.rows[0].id) } : {}),
  };
}

function stringOr(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Every personId and campaignId must exist in the workspace; reported per item. */
async function checkReferences(
  q: Queryable,
  ws: number,
  drafts: ActivityDraft[],
  path: (d: ActivityDraft, field: string) => string,
): Promise<void> {
  const errors: { path: string; message: string }[] = [];
  const personIds = [...new Set(drafts.map((d) => d.personId).filter((x): x is string => Boolean(x)))];
  if (personIds.length > 0) {
    const r = await q.query<{ id: string }>(
      'SELECT id FROM people WHERE workspace_id = $1 AND id = ANY($2::uuid[])',
      [ws, personIds],
    );
    const known = new Set(r.rows.map((x) => x.id));
    for (const d of drafts)
      if (d.personId && !known.has(d.personId))
        errors.push({ path: path(d, 'personId'), message: 'no person with this id' });
  }
  const campaignIds = [...new Set(drafts.map((d) => d.campaignId).filter((x): x is string => Boolean(x)))];
  if (campaignIds.length > 0) {
    const r = await q.query<{ id: string }>(
      'SELECT id FROM campaigns WHERE workspace_id = $1 AND id = ANY($2::uuid[])',
      [ws, campaignIds],
    );
    const known = new Set(r.rows.map((x) => x.id));
    for (const d of drafts)
      if (d.campaignId && !known.has(d.campaignId))
        errors.push({ path: path(d, 'campaignId'), message: 'no campaign with this id' });
  }
  if (errors.length === 1) throw invalid(errors[0].path, errors[0].message);
  if (errors.length > 1) throw validationError(errors);
}

/** One membership per (campaign, person) of the batch, at its highest status; existing ones only move forward. */
async function joinCampaigns(
  q: Queryable,
  ws: number,
  drafts: ActivityDraft[],
  personOf: (d: ActivityDraft) => string,
) {
  const rank = ['member', 'invited', 'registered', 'no_show', 'attended'];
  const members = new Map<string, { campaignId: string; personId: string; status: string; at: Date }>();
  for (const d of drafts) {
    if (!d.campaignId) continue;
    const personId = personOf(d);
    const key = `${d.campaignId}|${personId}`;
    const status = MEMBER_STATUS_BY_TYPE[d.type] ?? 'member';
    const m = members.get(key);
    if (!m) members.set(key, { campaignId: d.campaignId, personId, status, at: d.occurredAt });
    else {
      if (rank.indexOf(status) > rank.indexOf(m.status)) m.status = status;
      if (d.occurredAt < m.at) m.at = d.occurredAt;
    }
  }
  if (members.size === 0) return;
  const list = [...members.values()];
  await q.query(
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at)
     SELECT $1, c, p, s, j FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[]) AS u(c, p, s, j)
     ON CONFLICT (campaign_id, person_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
       WHERE array_position(${STATUS_RANK}, EXCLUDED.status) > array_position(${STATUS_RANK}, campaign_members.status)`,
    [
      ws,
      list.map((m) => m.campaignId),
      list.map((m) => m.personId),
      list.map((m) => m.status),
      list.map((m) => m.at),
    ],
  );
}
