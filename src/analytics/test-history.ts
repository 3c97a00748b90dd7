import { type Stage, TRANSITIONS } from '../lifecycle/stages.ts';
import type { Queryable } from '../platform/db/client.ts';

export interface GeneratedPerson {
  id: string;
  email: string;
  channel: string | null;
  source: string | null;
  industry: string | null;
  employeeCount: number | null;
  prefecture: string | null;
  createdAt: Date;
}

export interface GeneratedTransition {
  personId: string;
  from: Stage | null;
  to: Stage;
  at: Date;
}

const CHANNELS = ['webinar', 'tradeshow', 'ads', 'document_request', null];
const INDUSTRIES = ['製造業', '情報通信業', '小売業', null];
const PREFECTURES = ['東京都', '大阪府', '愛知県', null];

/** A small deterministic PRNG (mulberry32) so a failing test can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pickOf = <T>(random: () => number, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

/**
 * A random stage history: each person starts as an Inquiry somewhere in the `days` before `now`
 * and walks the transition table with random gaps (hours to weeks), sometimes re-entering a
 * stage after recycling. Several transitions may share a timestamp.
 */
export function generateHistory(random: () => number, n: number, now: Date, days = 500, tag = 'h') {
  const people: GeneratedPerson[] = [];
  const transitions: GeneratedTransition[] = [];
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    const createdAt = new Date(now.getTime() - Math.floor(random() * days * 86_400_000));
    people.push({
      id,
      email: `${tag}${i}@history.test`,
      channel: pickOf(random, CHANNELS),
      source: random() < 0.5 ? `src-${Math.floor(random() * 3)}` : null,
      industry: pickOf(random, INDUSTRIES),
      employeeCount: random() < 0.2 ? null : Math.floor(random() * 8000),
      prefecture: pickOf(random, PREFECTURES),
      createdAt,
    });
    transitions.push({ personId: id, from: null, to: 'inquiry', at: createdAt });
    let stage: Stage = 'inquiry';
    let at = createdAt.getTime();
    const steps = Math.floor(random() * 7);
    for (let s = 0; s < steps; s++) {
      const moves: readonly { to: Stage }[] = TRANSITIONS[stage].filter(
        (m) => m.to !== 'disqualified' || random() < 0.3,
      );
      if (moves.length === 0) break;
      const to: Stage = pickOf(random, moves).to;
      // Same instant now and then (an import that creates a person as MQL), else hours to weeks.
      at += random() < 0.1 ? 0 : Math.floor(random() * 40 * 86_400_000);
      if (at > now.getTime()) break;
      transitions.push({ personId: id, from: stage, to, at: new Date(at) });
      stage = to;
    }
  }
  return { people, transitions };
}

export async function insertPeople(
  q: Queryable,
  people: GeneratedPerson[],
  stageOf: (id: string) => Stage,
): Promise<void> {
  await q.query(
    `INSERT INTO people (id, workspace_id, email, channel, source, industry, employee_count, prefecture, stage, created_at)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::timestamptz[])`,
    [
      people.map((p) => p.id),
      people.map(() => 1),
      people.map((p) => p.email),
      people.map((p) => p.channel),
      people.map((p) => p.source),
      people.map((p) => p.industry),
      people.map((p) => p.employeeCount),
      people.map((p) => p.prefecture),
      people.map((p) => stageOf(p.id)),
      people.map((p) => p.createdAt),
    ],
  );
}

export async function insertTransitions(q: Queryable, ts: GeneratedTransition[]): Promise<void> {
  await q.query(
    `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type)
     SELECT 1, person_id, from_stage, to_stage, at, 'system'
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS u(person_id, from_stage, to_stage, at)`,
    [ts.map((t) => t.personId), ts.map((t) => t.from), ts.map((t) => t.to), ts.map((t) => t.at)],
  );
}

/** The stage each person ends in. */
export function finalStages(transitions: GeneratedTransition[]): Map<string, Stage> {
  const m = new Map<string, Stage>();
  for (const t of transitions) m.set(t.personId, t.to);
  return m;
}

/**
 * Three campaigns and random touches of them: for about a third of the people a membership
 * (some only invited), for about a third an activity carrying a campaign, at random times in
 * the `days` before `now`.
 */
export async function insertCampaignTouches(
  q: Queryable,
  random: () => number,
  people: readonly GeneratedPerson[],
  now: Date,
  days = 500,
): Promise<void> {
  const campaigns = (
    await q.query<{ id: string }>(
      `INSERT INTO campaigns (workspace_id, name, channel) SELECT 1, 'history ' || i, 'webinar' FROM generate_series(1, 3) i RETURNING id`,
    )
  ).rows.map((r) => r.id);
  const when = () => new Date(now.getTime() - Math.floor(random() * days * 86_400_000));
  const members = people
    .filter(() => random() < 0.35)
    .map((p) => ({ person: p.id, campaign: pickOf(random, campaigns), invited: random() < 0.2, at: when() }));
  const activities = people
    .filter(() => random() < 0.35)
    .map((p) => ({ person: p.id, campaign: pickOf(random, campaigns), at: when() }));
  await q.query(
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at)
     SELECT 1, campaign_id, person_id, CASE WHEN invited THEN 'invited' ELSE 'registered' END, at
     FROM unnest($1::uuid[], $2::uuid[], $3::boolean[], $4::timestamptz[]) AS u(campaign_id, person_id, invited, at)`,
    [
      members.map((m) => m.campaign),
      members.map((m) => m.person),
      members.map((m) => m.invited),
      members.map((m) => m.at),
    ],
  );
  await q.query(
    `INSERT INTO activities (workspace_id, person_id, campaign_id, type, occurred_at)
     SELECT 1, person_id, campaign_id, 'email_click', at
     FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS u(campaign_id, person_id, at)`,
    [activities.map((a) => a.campaign), activities.map((a) => a.person), activities.map((a) => a.at)],
  );
}
