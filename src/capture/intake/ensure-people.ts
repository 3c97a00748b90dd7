import { emailDomain, isFreeMailDomain } from '../../people/normalize.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { subscriberJobsSql } from '../../platform/events.ts';
import { markForRescore } from '../../scoring/live.ts';
import type { Actor } from '../../team/audit.ts';

/** A person an ingest needs, by normalised e-mail, with the first touch to record if they are new. */
export interface WantedPerson {
  email: string;
  source: string | null;
  channel: string | null;
  /** When they first showed up (the earliest activity of the batch). */
  at: Date;
}

export interface EnsuredPeople {
  idByEmail: Map<string, string>;
  createdIds: string[];
}

/**
 * The set-based counterpart of upsertPerson for people known only by e-mail: finds the existing
 * ones and creates the rows of the rest, in a handful of statements whatever the batch size. A
 * new person gets the account of their business domain (never of a free-mail or carrier domain).
 * The caller finishes the new people with recordPeopleCreated, as the last statement of its
 * transaction.
 */
export async function ensurePeopleByEmail(
  q: Queryable,
  actor: Actor,
  wanted: WantedPerson[],
): Promise<EnsuredPeople> {
  const ws = actor.workspaceId;
  const idByEmail = new Map<string, string>();
  if (wanted.length === 0) return { idByEmail, createdIds: [] };
  const emails = wanted.map((w) => w.email);
  // people_email_uq
  const existing = await q.query<{ id: string; email: string }>(
    'SELECT id, email FROM people WHERE workspace_id = $1 AND email = ANY($2::text[])',
    [ws, emails],
  );
  for (const r of existing.rows) idByEmail.set(r.email, r.id);
  const fresh = wanted.filter((w) => !idByEmail.has(w.email));
  if (fresh.length === 0) return { idByEmail, createdIds: [] };

  const domains = [...new Set(fresh.map((w) => emailDomain(w.email)).filter((d) => !isFreeMailDomain(d)))];
  if (domains.length > 0) {
    await q.query(
      `INSERT INTO accounts (workspace_id, name, name_normalized, domain)
       SELECT $1, d, d, d FROM unnest($2::text[]) AS d
       ON CONFLICT (workspace_id, domain) WHERE domain IS NOT NULL DO NOTHING`,
      [ws, domains],
    );
  }
  const created = await q.query<{ id: string; email: string }>(
    `WITH input AS (
       SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) AS u(email, source, channel, at, domain)
     )
     INSERT INTO people (workspace_id, email, source, channel, account_id, stage_changed_at, created_at, updated_at)
     SELECT $1, i.email, i.source, i.channel, a.id, i.at, i.at, i.at
     FROM input i LEFT JOIN accounts a ON a.workspace_id = $1 AND a.domain = i.domain
     ON CONFLICT (workspace_id, email) DO NOTHING
     RETURNING id, email`,
    [
      ws,
      fresh.map((w) => w.email),
      fresh.map((w) => w.source),
      fresh.map((w) => w.channel),
      fresh.map((w) => w.at),
      fresh.map((w) => {
        const d = emailDomain(w.email);
        return isFreeMailDomain(d) ? null : d;
      }),
    ],
  );
  for (const r of created.rows) idByEmail.set(r.email, r.id);
  const createdIds = created.rows.map((r) => r.id);
  // Created meanwhile by a concurrent request (ON CONFLICT DO NOTHING above).
  const missing = fresh.filter((w) => !idByEmail.has(w.email)).map((w) => w.email);
  if (missing.length > 0) {
    const late = await q.query<{ id: string; email: string }>(
      'SELECT id, email FROM people WHERE workspace_id = $1 AND email = ANY($2::text[])',
      [ws, missing],
    );
    for (const r of late.rows) idByEmail.set(r.email, r.id);
  }
  return { idByEmail, createdIds };
}

/**
 * What makes people created by ensurePeopleByEmail Inquiries, exactly as one created through
 * upsertPerson: an `inquiry` stage transition at their first touch, an audit entry, a
 * `person.created` event with its subscribers' jobs, and a mark for live scoring.
 *
 * Call it last in the transaction. The Inquiry transitions add to the funnel rollups' rows of
 * today (funnel_daily, funnel_monthly_dims, funnel_cohort_daily), which every concurrent
 * transaction that creates people updates too, and those row locks are held until commit: at
 * scale 10, with the transitions written before the batch's 1,000 activities, four concurrent
 * 1,000-activity batches queued 80–150 ms each on the cohort row (auto_explain).
 */
export async function recordPeopleCreated(
  q: Queryable,
  actor: Actor,
  createdIds: readonly string[],
): Promise<void> {
  if (createdIds.length === 0) return;
  const ws = actor.workspaceId;
  await q.query(
    `WITH np AS (
       SELECT id, source, channel, created_at FROM people WHERE workspace_id = $1 AND id = ANY($2::uuid[])
     ),
     tr AS (
       INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type, actor_id, reason)
       SELECT $1, id, NULL, 'inquiry', created_at, $3, $4, coalesce(source, channel) FROM np
     ),
     au AS (
       INSERT INTO audit_log (workspace_id, actor_type, actor_id, actor_label, action, entity_type, entity_id)
       SELECT $1, $3, $4, $5, 'person.created', 'person', id::text FROM np
     ),
     ev AS (
       INSERT INTO events (workspace_id, type, person_id, data)
       SELECT $1, 'person.created', id, jsonb_build_object('personId', id, 'source', source, 'channel', channel) FROM np
       RETURNING id, workspace_id, type, person_id
     )
     ${subscriberJobsSql({ except: ['scoring.events'] })}`,
    [ws, createdIds, actor.type, actor.id, actor.label],
  );
  // Scored with the batch's activities by one refresh, not by a job per new person.
  await markForRescore(q, ws, createdIds);
}
