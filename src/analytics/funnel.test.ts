import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { addDays, todayIn } from './period.ts';
import {
  finalStages,
  generateHistory,
  insertCampaignTouches,
  insertPeople,
  insertTransitions,
  prng,
} from './test-history.ts';

/**
 * The funnel must agree exactly with the stage-transition log. These tests recompute every
 * number from the raw rows in plain TypeScript, independently of the SQL and of funnel_entries.
 */

const NEXT: Record<string, string[]> = {
  inquiry: ['mql'],
  mql: ['sal', 'sql'],
  sal: ['sql'],
  sgl: ['sql'],
  sql: ['won'],
  won: [],
};
const ORDER = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won'];

interface Row {
  id: number;
  person_id: string;
  to_stage: string;
  at: Date;
}
interface PersonRow {
  id: string;
  channel: string | null;
  source: string | null;
  industry: string | null;
  prefecture: string | null;
  owner_id: string | null;
  employee_count: number | null;
  stage: string;
}
interface TouchRow {
  person_id: string;
  campaign_id: string;
  at: Date;
}

const jst = (day: string) => Date.parse(`${day}T00:00:00+09:00`);
const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const after = (a: Row, b: Row) =>
  a.at.getTime() > b.at.getTime() || (a.at.getTime() === b.at.getTime() && a.id > b.id);

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const v = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  return Math.round(v * 10) / 10;
}

/** The waterfall recomputed from raw transitions; `group` picks the people counted. */
function recompute(rows: Row[], from: string, to: string, keep: (personId: string) => boolean = () => true) {
  const lo = jst(from);
  const hi = jst(nextDay(to));
  const byPerson = new Map<string, Row[]>();
  for (const r of rows) byPerson.set(r.person_id, [...(byPerson.get(r.person_id) ?? []), r]);
  return ORDER.map((stage) => {
    let count = 0;
    let converted = 0;
    const days: number[] = [];
    for (const r of rows) {
      if (r.to_stage !== stage || !keep(r.person_id)) continue;
      const t = r.at.getTime();
      if (t < lo || t >= hi) continue;
      count++;
      const later = (byPerson.get(r.person_id) ?? [])
        .filter((x) => NEXT[stage].includes(x.to_stage) && after(x, r))
        .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id)[0];
      if (later) {
        converted++;
        days.push(Math.floor((later.at.getTime() - t) / 86_400_000));
      }
    }
    return {
      stage,
      count,
      converted,
      conversion: stage === 'won' || count === 0 ? null : converted / count,
      medianDays: median(days),
    };
  });
}

let t: TestApp;
let rows: Row[];
let people: PersonRow[];
let touches: TouchRow[];
const now = new Date();

async function load() {
  rows = (
    await t.db.query<Row>(
      'SELECT id, person_id, to_stage, at FROM stage_transitions WHERE workspace_id = 1 ORDER BY id',
    )
  ).rows;
  people = (
    await t.db.query<PersonRow>(
      'SELECT id, channel, source, industry, prefecture, owner_id, employee_count, stage FROM people WHERE workspace_id = 1 ORDER BY id',
    )
  ).rows;
  // Touches as the campaigns' members (except invited) and activities carrying a campaign.
  touches = (
    await t.db.query<TouchRow>(
      `SELECT person_id, campaign_id, joined_at AS at FROM campaign_members WHERE workspace_id = 1 AND status <> 'invited'
       UNION ALL
       SELECT person_id, campaign_id, occurred_at FROM activities
       WHERE workspace_id = 1 AND person_id IS NOT NULL AND campaign_id IN (SELECT id FROM campaigns)`,
    )
  ).rows;
}

const funnel = async (query: string) => {
  const r = await t.call({ method: 'GET', url: `/api/v1/funnel?${query}`, as: 'viewer' });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};

beforeAll(async () => {
  t = await createTestApp();
  const random = prng(7);
  const { people: gen, transitions } = generateHistory(random, 600, now);
  const stages = finalStages(transitions);
  await insertPeople(t.db, gen, (id) => stages.get(id) ?? 'inquiry');
  // Two sales owners and people without one.
  const owners = await t.db.query<{ id: string }>(
    `INSERT INTO users (workspace_id, email, name, password_hash, role)
     VALUES (1, 'owner1@history.test', '営業 一', 'x', 'sales'), (1, 'owner2@history.test', '営業 二', 'x', 'sales') RETURNING id`,
  );
  await t.db.query(
    `UPDATE people SET owner_id = ($1::uuid[])[1 + abs(hashtext(email)) % 3] WHERE workspace_id = 1`,
    [[...owners.rows.map((r) => r.id), null]],
  );
  // History arrives in pieces, like a live system: one bulk load of the older part, then the
  // newer transitions one statement at a time, a few of them back-filled out of order.
  const cut = now.getTime() - 120 * 86_400_000;
  // (The older part is over a thousand rows: the bulk path of the trigger; the rest the live path.)
  const old = transitions.filter((x) => x.at.getTime() < cut);
  const recent = transitions.filter((x) => x.at.getTime() >= cut);
  expect(old.length).toBeGreaterThan(1000);
  await insertTransitions(t.db, old);
  // Campaign touches arrive between the two: the first touches of people with entries move their entries.
  await insertCampaignTouches(t.db, random, gen, now);
  const backfilled = recent.filter((_, i) => i % 25 === 0);
  const live = recent.filter((_, i) => i % 25 !== 0);
  for (let i = 0; i < live.length; i += 60) await insertTransitions(t.db, live.slice(i, i + 60));
  for (const x of backfilled.reverse()) await insertTransitions(t.db, [x]);
  await load();
}, 240_000);

afterAll(async () => {
  await t?.close();
});

describe('the waterfall agrees with the transition log', () => {
  it('counts entries, conversions to the next stage and median days exactly, for several periods', async () => {
    const periods = [
      ['2024-01-01', nextDay(now.toISOString().slice(0, 10))],
      [new Date(now.getTime() - 365 * 86_400_000).toISOString().slice(0, 10), now.toISOString().slice(0, 10)],
      [
        new Date(now.getTime() - 90 * 86_400_000).toISOString().slice(0, 10),
        new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10),
      ],
    ];
    for (const [from, to] of periods) {
      const body = await funnel(`from=${from}&to=${to}`);
      expect(body.stages).toEqual(recompute(rows, from, to));
    }
    const all = await funnel(`from=2024-01-01&to=${nextDay(now.toISOString().slice(0, 10))}`);
    expect(all.stages[0].count).toBe(rows.filter((r) => r.to_stage === 'inquiry').length);
    expect(all.stages[0].count).toBeGreaterThanOrEqual(600);
    expect(all.stages.find((s: { stage: string }) => s.stage === 'sgl').count).toBeGreaterThan(0);
  });

  it('breaks the waterfall down by channel and by employee-size band, each group agreeing with the log', async () => {
    const from = new Date(now.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
    const to = now.toISOString().slice(0, 10);
    const byChannel = await funnel(`from=${from}&to=${to}&by=channel`);
    const channelOf = new Map(people.map((p) => [p.id, p.channel]));
    expect(byChannel.breakdown.length).toBeGreaterThan(3);
    for (const group of byChannel.breakdown) {
      expect(group.channel).toBe(group.value);
      expect(group.stages).toEqual(recompute(rows, from, to, (id) => channelOf.get(id) === group.value));
    }
    // The groups partition the total.
    for (let i = 0; i < 6; i++) {
      expect(
        byChannel.breakdown.reduce(
          (s: number, g: { stages: { count: number }[] }) => s + g.stages[i].count,
          0,
        ),
      ).toBe(byChannel.stages[i].count);
    }
    const bySize = await funnel(`from=${from}&to=${to}&by=employeeSize`);
    const band = (n: number | null) =>
      n === null
        ? null
        : n < 50
          ? '1-49'
          : n < 300
            ? '50-299'
            : n < 1000
              ? '300-999'
              : n < 5000
                ? '1000-4999'
                : '5000+';
    const sizeOf = new Map(people.map((p) => [p.id, band(p.employee_count)]));
    for (const group of bySize.breakdown) {
      expect(group.stages).toEqual(recompute(rows, from, to, (id) => sizeOf.get(id) === group.value));
    }
  });

  it('follows a change of a person’s channel, a history moved to another person (merge) and an erasure', async () => {
    const [a, b] = people.filter((p) => p.channel === 'ads');
    await t.call({ method: 'PATCH', url: `/api/v1/people/${a.id}`, payload: { channel: 'webinar' } });
    await t.db.query('UPDATE stage_transitions SET person_id = $1 WHERE person_id = $2', [a.id, b.id]);
    // An erased person leaves the funnel with their history.
    const erased = people.find(
      (p) => (p.stage === 'won' || p.stage === 'sql') && p.id !== a.id && p.id !== b.id,
    );
    expect((await t.call({ method: 'DELETE', url: `/api/v1/people/${erased?.id}` })).statusCode).toBe(204);
    await load();
    const from = '2024-01-01';
    const to = nextDay(now.toISOString().slice(0, 10));
    const body = await funnel(`from=${from}&to=${to}&by=channel`);
    const channelOf = new Map(people.map((p) => [p.id, p.channel]));
    expect(channelOf.get(a.id)).toBe('webinar');
    for (const group of body.breakdown) {
      expect(group.stages).toEqual(recompute(rows, from, to, (id) => channelOf.get(id) === group.value));
    }
    expect(body.stages).toEqual(recompute(rows, from, to));
  });

  it('breaks down by every attribute exactly, for whole months, partial months and days inside one month', async () => {
    await load();
    const sizeBand = (n: number | null) =>
      n === null
        ? null
        : n < 50
          ? '1-49'
          : n < 300
            ? '50-299'
            : n < 1000
              ? '300-999'
              : n < 5000
                ? '1000-4999'
                : '5000+';
    // The first touch: the earliest touch, ties by campaign id.
    const firstTouch = new Map<string, TouchRow>();
    for (const x of touches) {
      const seen = firstTouch.get(x.person_id);
      if (
        !seen ||
        x.at < seen.at ||
        (x.at.getTime() === seen.at.getTime() && x.campaign_id < seen.campaign_id)
      )
        firstTouch.set(x.person_id, x);
    }
    const attributes: Record<string, (p: PersonRow) => string | null> = {
      source: (p) => p.source,
      industry: (p) => p.industry,
      prefecture: (p) => p.prefecture,
      owner: (p) => p.owner_id,
      employeeSize: (p) => sizeBand(p.employee_count),
      campaign: (p) => firstTouch.get(p.id)?.campaign_id ?? null,
    };
    // Months counted back from this one (Japan time), as first days.
    const today = todayIn(now);
    const monthsAgo = (k: number) => {
      const m = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - k;
      return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
    };
    const decemberYear = Number(today.slice(0, 4)) - (today.slice(5) > '01-10' ? 1 : 2);
    const periods = [
      // Thirteen whole months (across a new year), then the same less a few days at each end.
      [monthsAgo(14), addDays(monthsAgo(1), -1)],
      [addDays(monthsAgo(14), 9), addDays(monthsAgo(1), -13)],
      // Inside one month; its first half; its second half; one whole month and a day either side.
      [addDays(monthsAgo(4), 4), addDays(monthsAgo(4), 19)],
      [monthsAgo(5), addDays(monthsAgo(5), 14)],
      [addDays(monthsAgo(6), 10), addDays(monthsAgo(5), -1)],
      [addDays(monthsAgo(8), -1), monthsAgo(7)],
      // Around a new year, no whole month.
      [`${decemberYear}-12-20`, `${decemberYear + 1}-01-10`],
    ];
    const entered = (from: string, to: string) =>
      new Set(
        rows
          .filter(
            (r) =>
              ORDER.includes(r.to_stage) && r.at.getTime() >= jst(from) && r.at.getTime() < jst(nextDay(to)),
          )
          .map((r) => r.person_id),
      );
    for (const [by, of] of Object.entries(attributes)) {
      for (const [from, to] of periods) {
        const body = await funnel(`from=${from}&to=${to}&by=${by}`);
        const value = new Map(people.map((p) => [p.id, of(p)]));
        const values = new Set([...entered(from, to)].map((id) => value.get(id) ?? null));
        const expected = [...values].map((v) => ({
          value: v,
          stages: recompute(rows, from, to, (id) => (value.get(id) ?? null) === v),
        }));
        const key = (g: { value: string | null }) => String(g.value);
        expect(
          body.breakdown
            .map((g: { value: string | null; stages: unknown }) => ({ value: g.value, stages: g.stages }))
            .sort((a: { value: string | null }, b: { value: string | null }) => key(a).localeCompare(key(b))),
          `${by} ${from}..${to}`,
        ).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))));
        expect(body.stages).toEqual(recompute(rows, from, to));
      }
    }
    // The data covers what is tested: several values of each breakdown, and people without one.
    const wide = await funnel(`from=${periods[0][0]}&to=${periods[0][1]}&by=campaign`);
    expect(wide.breakdown.length).toBe(4);
    // The people behind a campaign's number are the same entries.
    const group = wide.breakdown.find((g: { value: string | null }) => g.value !== null);
    const drill = await t.call({
      method: 'GET',
      url: `/api/v1/funnel/people?stage=inquiry&from=${periods[0][0]}&to=${periods[0][1]}&by=campaign&value=${group.value}&limit=1000`,
      as: 'viewer',
    });
    expect(drill.json().items).toHaveLength(group.stages[0].count);
  });

  it('lists the people behind a number: the converted MQL entries of a channel', async () => {
    const from = '2024-01-01';
    const to = nextDay(now.toISOString().slice(0, 10));
    const body = await funnel(`from=${from}&to=${to}&by=channel`);
    const webinar = body.breakdown.find((g: { value: string }) => g.value === 'webinar');
    const mql = webinar.stages[1];
    const r = await t.call({
      method: 'GET',
      url: `/api/v1/funnel/people?stage=mql&from=${from}&to=${to}&by=channel&value=webinar&outcome=converted&limit=1000`,
      as: 'viewer',
    });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as { channel: string; nextStage: string; days: number }[];
    expect(items).toHaveLength(mql.converted);
    expect(
      items.every((p) => p.channel === 'webinar' && ['sal', 'sql'].includes(p.nextStage) && p.days >= 0),
    ).toBe(true);
    // Paging walks the same list.
    const first = await t.call({
      method: 'GET',
      url: `/api/v1/funnel/people?stage=inquiry&from=${from}&to=${to}&limit=150`,
      as: 'viewer',
    });
    const second = await t.call({
      method: 'GET',
      url: `/api/v1/funnel/people?stage=inquiry&from=${from}&to=${to}&limit=150&cursor=${first.json().nextCursor}`,
      as: 'viewer',
    });
    const ids = new Set(
      [...first.json().items, ...second.json().items].map(
        (p: { id: string; enteredAt: string }) => `${p.id}@${p.enteredAt}`,
      ),
    );
    expect(ids.size).toBe(300);
  });
});

describe('cohorts', () => {
  it('groups people by the month of their first Inquiry and counts who reached MQL, SQL and Won by each later month', async () => {
    const from = new Date(now.getTime() - 200 * 86_400_000).toISOString().slice(0, 10);
    const to = now.toISOString().slice(0, 10);
    const body = await funnel(`from=${from}&to=${to}&mode=cohort`);
    const month = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 7);
    const idx = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7));
    const stageNow = new Map(people.map((p) => [p.id, p.stage]));
    const firstInquiry = new Map<string, Date>();
    for (const r of rows)
      if (
        r.to_stage === 'inquiry' &&
        (!firstInquiry.has(r.person_id) || r.at < firstInquiry.get(r.person_id)!)
      )
        firstInquiry.set(r.person_id, r.at);
    const lo = jst(from);
    const hi = jst(nextDay(to));
    for (const cohort of body.cohorts) {
      const members = [...firstInquiry].filter(
        ([, at]) => at.getTime() >= lo && at.getTime() < hi && month(at) === cohort.month,
      );
      expect(cohort.size).toBe(members.length);
      const nowCounts: Record<string, number> = {};
      for (const [id] of members) nowCounts[stageNow.get(id)!] = (nowCounts[stageNow.get(id)!] ?? 0) + 1;
      expect(cohort.now).toEqual(nowCounts);
      for (const stage of ['mql', 'sql', 'won']) {
        const reachedMonth = members
          .map(
            ([id, at]) =>
              rows
                .filter((r) => r.person_id === id && r.to_stage === stage && r.at >= at)
                .map((r) => r.at)
                .sort((a, b) => a.getTime() - b.getTime())[0],
          )
          .filter(Boolean)
          .map((d) => idx(month(d)));
        cohort.reached[stage].forEach((n: number, k: number) => {
          expect(n).toBe(reachedMonth.filter((m) => m <= idx(cohort.month) + k).length);
        });
      }
    }
    expect(body.cohorts.reduce((s: number, c: { size: number }) => s + c.size, 0)).toBeGreaterThan(50);
  });
});

describe('bad input', () => {
  it.each([
    ['from=2026-05-01&to=2026-04-01', 'from'],
    ['from=2026-01-01&to=2026-02-01&by=colour', 'by'],
    ['from=2016-01-01&to=2026-01-01', 'to'],
    ['from=2026-02-30&to=2026-03-01', 'from'],
    ['from=yesterday', 'from'],
    ['mode=sideways', 'mode'],
  ])('answers 422 naming the parameter for %s', async (query, param) => {
    const r = await t.call({ method: 'GET', url: `/api/v1/funnel?${query}` });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors[0].path).toBe(param);
  });

  it('accepts exactly five years less a day, and reports velocity and aging', async () => {
    expect(
      (await t.call({ method: 'GET', url: '/api/v1/funnel?from=2021-01-01&to=2025-12-31' })).statusCode,
    ).toBe(200);
    const aging = await t.call({ method: 'GET', url: '/api/v1/funnel/aging' });
    const inMql = people.filter((p) => p.stage === 'mql').length;
    expect(aging.json().stages[0]).toMatchObject({ stage: 'mql', people: inMql });
  });
});
