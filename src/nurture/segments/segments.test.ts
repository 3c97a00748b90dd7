import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { compileFilter } from './compile.ts';
import type { Filter } from './filter.ts';
import { countAndSample, personMatches, resolveFilter } from './store.ts';

/**
 * A small population with known attributes and activity histories; every filter's count is
 * checked against the same question answered in plain TypeScript over that population.
 */
interface Fixture {
  id: string;
  company: string | null;
  stage: string;
  fitGrade: string | null;
  engagement: number;
  industry: string | null;
  accountIndustry: string | null;
  pricingViews30d: number;
  pricingViewsOld: number;
  attended: boolean;
  invited: boolean;
}

const STAGES = ['inquiry', 'mql', 'sal', 'recycled'];
const GRADES = ['A', 'B', 'C', 'D', null];
const INDUSTRIES = ['製造業', 'IT', '小売', null];

let t: TestApp;
let people: Fixture[] = [];
let campaignId = '';
const now = new Date();
const day = 86_400_000;

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

beforeAll(async () => {
  t = await createTestApp();
  const rand = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const acc = await t.db.query<{ id: string; industry: string }>(
    `INSERT INTO accounts (workspace_id, name, name_normalized, industry) VALUES (1, '甲', '甲', '製造業'), (1, '乙', '乙', 'IT') RETURNING id, industry`,
  );
  const camp = await t.db.query<{ id: string }>(
    `INSERT INTO campaigns (workspace_id, name, channel) VALUES (1, 'Seminar', 'seminar') RETURNING id`,
  );
  campaignId = camp.rows[0].id;
  const n = 240;
  const rows = Array.from({ length: n }, (_, i) => {
    const account = pick([...acc.rows, null]);
    return {
      email: `p${i}@example.jp`,
      company: i % 7 === 0 ? null : pick(['株式会社アルファ', 'ベータ工業', 'ガンマ<script>']),
      stage: pick(STAGES),
      fitGrade: pick(GRADES),
      engagement: Math.floor(rand() * 100),
      industry: pick(INDUSTRIES),
      accountId: account?.id ?? null,
      accountIndustry: account?.industry ?? null,
      pricingViews30d: Math.floor(rand() * 4),
      pricingViewsOld: Math.floor(rand() * 2),
      attended: rand() < 0.3,
      invited: rand() < 0.5,
    };
  });
  const ins = await t.db.query<{ id: string; email: string }>(
    `INSERT INTO people (workspace_id, email, company, stage, fit_grade, engagement_score, industry, account_id)
     SELECT 1, * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::uuid[]) RETURNING id, email`,
    [
      rows.map((r) => r.email),
      rows.map((r) => r.company),
      rows.map((r) => r.stage),
      rows.map((r) => r.fitGrade),
      rows.map((r) => r.engagement),
      rows.map((r) => r.industry),
      rows.map((r) => r.accountId),
    ],
  );
  const idOf = new Map(ins.rows.map((r) => [r.email, r.id]));
  people = rows.map((r) => ({ ...r, id: idOf.get(r.email) as string }));
  const acts: { person: string; type: string; at: Date; url: string | null; campaign: string | null }[] = [];
  for (const p of people) {
    for (let k = 0; k < p.pricingViews30d; k++)
      acts.push({
        person: p.id,
        type: 'page_view',
        at: new Date(now.getTime() - (k + 1) * 5 * day),
        url: 'https://example.jp/pricing?x=1',
        campaign: null,
      });
    for (let k = 0; k < p.pricingViewsOld; k++)
      acts.push({
        person: p.id,
        type: 'page_view',
        at: new Date(now.getTime() - 60 * day),
        url: 'https://example.jp/pricing',
        campaign: null,
      });
    acts.push({
      person: p.id,
      type: 'page_view',
      at: new Date(now.getTime() - day),
      url: 'https://example.jp/blog',
      campaign: null,
    });
    if (p.attended)
      acts.push({
        person: p.id,
        type: 'event_attended',
        at: new Date(now.getTime() - 3 * day),
        url: null,
        campaign: campaignId,
      });
  }
  await t.db.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id)
     SELECT 1, p, ty, at, CASE WHEN u IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('url', u) END, c
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::uuid[]) AS x(p, ty, at, u, c)`,
    [
      acts.map((a) => a.person),
      acts.map((a) => a.type),
      acts.map((a) => a.at),
      acts.map((a) => a.url),
      acts.map((a) => a.campaign),
    ],
  );
  const invited = people.filter((p) => p.invited || p.attended);
  await t.db.query(
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status) SELECT 1, $1, p, s FROM unnest($2::uuid[], $3::text[]) AS x(p, s)`,
    [campaignId, invited.map((p) => p.id), invited.map((p) => (p.attended ? 'attended' : 'invited'))],
  );
});

afterAll(async () => {
  await t?.close();
});

async function count(filter: Filter): Promise<number> {
  return (await countAndSample(t.db, 1, filter, now, 0)).count;
}

const gradeRank = (g: string | null) => (g ? 'ABCD'.indexOf(g) : 99);

describe('segment filters over a known population', () => {
  const cases: [string, () => Filter, (p: Fixture) => boolean][] = [
    [
      'stage in',
      () => ({ field: 'stage', op: 'in', value: ['mql', 'sal'] }),
      (p) => ['mql', 'sal'].includes(p.stage),
    ],
    [
      'fit grade at least B',
      () => ({ field: 'fitGrade', op: 'gte', value: 'B' }),
      (p) => gradeRank(p.fitGrade) <= 1,
    ],
    [
      'engagement between',
      () => ({ field: 'engagementScore', op: 'between', value: [20, 60] }),
      (p) => p.engagement >= 20 && p.engagement <= 60,
    ],
    [
      'company is not (blanks included)',
      () => ({ field: 'company', op: 'neq', value: 'ベータ工業' }),
      (p) => p.company !== 'ベータ工業',
    ],
    [
      'company contains',
      () => ({ field: 'company', op: 'contains', value: 'アルファ' }),
      (p) => !!p.company?.includes('アルファ'),
    ],
    ['company is empty', () => ({ field: 'company', op: 'isEmpty' }), (p) => p.company === null],
    [
      'account industry',
      () => ({ field: 'account.industry', op: 'eq', value: '製造業' }),
      (p) => p.accountIndustry === '製造業',
    ],
    [
      'not account industry',
      () => ({ not: { field: 'account.industry', op: 'eq', value: '製造業' } }),
      (p) => p.accountIndustry !== '製造業',
    ],
    [
      'viewed pricing at least twice in 30 days and did not attend the seminar',
      () => ({
        and: [
          { activity: { type: 'page_view', urlContains: '/pricing', withinDays: 30, min: 2 } },
          { not: { activity: { type: 'event_attended', campaignId } } },
        ],
      }),
      (p) => p.pricingViews30d >= 2 && !p.attended,
    ],
    [
      'viewed pricing at most once ever (zero included)',
      () => ({ activity: { type: 'page_view', urlContains: 'pricing', max: 1, min: 0 } }),
      (p) => p.pricingViews30d + p.pricingViewsOld <= 1,
    ],
    [
      'pricing exactly 1-2 times in 30 days',
      () => ({ activity: { type: 'page_view', urlContains: 'pricing', withinDays: 30, min: 1, max: 2 } }),
      (p) => p.pricingViews30d >= 1 && p.pricingViews30d <= 2,
    ],
    [
      'campaign invited only',
      () => ({ campaign: { id: campaignId, status: ['invited'] } }),
      (p) => p.invited && !p.attended,
    ],
    // Blank fields are NULL in SQL: outside a NOT they simply do not match, under a NOT they
    // count as "not matching" (the compiler keeps NOT two-valued, and leaves the rest bare).
    [
      'industry in, or grade A and industry not 小売 (blanks)',
      () => ({
        or: [
          { field: 'industry', op: 'in', value: ['製造業', 'IT'] },
          {
            and: [
              { field: 'fitGrade', op: 'eq', value: 'A' },
              { field: 'industry', op: 'neq', value: '小売' },
            ],
          },
        ],
      }),
      (p) => ['製造業', 'IT'].includes(p.industry ?? '') || (p.fitGrade === 'A' && p.industry !== '小売'),
    ],
    [
      'not (industry or grade A/B): blanks are not matching',
      () => ({
        not: {
          or: [
            { field: 'industry', op: 'eq', value: '製造業' },
            { field: 'fitGrade', op: 'in', value: ['A', 'B'] },
          ],
        },
      }),
      (p) => !(p.industry === '製造業' || p.fitGrade === 'A' || p.fitGrade === 'B'),
    ],
    [
      'not not industry',
      () => ({ not: { not: { field: 'industry', op: 'eq', value: 'IT' } } }),
      (p) => p.industry === 'IT',
    ],
    [
      'account industry or no industry',
      () => ({
        or: [
          { field: 'account.industry', op: 'eq', value: '製造業' },
          { field: 'industry', op: 'isEmpty' },
        ],
      }),
      (p) => p.accountIndustry === '製造業' || p.industry === null,
    ],
    [
      'not (account industry and grade A)',
      () => ({
        not: {
          and: [
            { field: 'account.industry', op: 'eq', value: '製造業' },
            { field: 'fitGrade', op: 'eq', value: 'A' },
          ],
        },
      }),
      (p) => !(p.accountIndustry === '製造業' && p.fitGrade === 'A'),
    ],
    [
      'or of mixed leaves',
      () => ({
        or: [
          { field: 'stage', op: 'eq', value: 'recycled' },
          { campaign: { id: campaignId, status: ['attended'] } },
        ],
      }),
      (p) => p.stage === 'recycled' || p.attended,
    ],
  ];

  for (const [name, filter, expected] of cases) {
    it(`${name}: the SQL count equals the independent count`, async () => {
      const want = people.filter(expected).length;
      expect(await count(filter())).toBe(want);
      // The per-person strategy agrees with the set strategy.
      const sample = people.slice(0, 8);
      for (const p of sample)
        expect(await personMatches(t.db, 1, filter(), p.id, now), `${name} for ${p.id}`).toBe(expected(p));
    });
  }

  it('nests saved segments and static lists', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/api/v1/segments',
      payload: { name: 'MQL+SAL', filter: { field: 'stage', op: 'in', value: ['mql', 'sal'] } },
    });
    expect(res.statusCode).toBe(201);
    const inner = res.json();
    const list = (
      await t.call({ method: 'POST', url: '/api/v1/segments', payload: { name: 'VIP list', kind: 'static' } })
    ).json();
    const chosen = people.slice(0, 5).map((p) => p.id);
    const add = await t.call({
      method: 'POST',
      url: `/api/v1/segments/${list.id}/members`,
      payload: { personIds: chosen },
    });
    expect(add.json()).toEqual({ added: 5 });
    const f: Filter = { or: [{ segment: inner.id }, { segment: list.id }] };
    const want = people.filter((p) => ['mql', 'sal'].includes(p.stage) || chosen.includes(p.id)).length;
    expect(await count(f)).toBe(want);
    const resolved = await resolveFilter(t.db, 1, f);
    expect(JSON.stringify(resolved)).not.toContain('segment"');
    expect(compileFilter(resolved, { workspaceId: 1, now }).sql).toContain('segment_members');
  });

  it('answers bad filters with a 422 naming the path, and keeps nothing', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/segments',
      payload: {
        name: 'Bad',
        filter: {
          and: [
            { field: 'stage', op: 'eq', value: 'mql' },
            { or: [{ field: 'favouriteColour', op: 'eq', value: 'red' }] },
          ],
        },
      },
    });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors[0].path).toBe('filter.and.1.or.0.field');
    const preview = await t.call({
      method: 'POST',
      url: '/api/v1/segments/preview',
      payload: { filter: { activity: { type: 'page_view', withinDays: 0 } } },
    });
    expect(preview.statusCode).toBe(422);
    expect(preview.json().errors[0].path).toBe('filter.activity.withinDays');
    const ghost = await t.call({
      method: 'POST',
      url: '/api/v1/segments/preview',
      payload: { filter: { segment: '00000000-0000-4000-8000-000000000009' } },
    });
    expect(ghost.statusCode).toBe(422);
    const none = await t.call({ method: 'GET', url: '/api/v1/segments?q=Bad' });
    expect(none.json().items).toHaveLength(0);
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/v1/segments',
          payload: { name: 'x', filter: { field: 'stage', op: 'eq', value: 'mql' } },
          as: 'sales',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('refuses cycles between segments and deleting a segment another one uses', async () => {
    const a = (
      await t.call({
        method: 'POST',
        url: '/api/v1/segments',
        payload: { name: 'A', filter: { field: 'stage', op: 'eq', value: 'mql' } },
      })
    ).json();
    const b = (
      await t.call({
        method: 'POST',
        url: '/api/v1/segments',
        payload: { name: 'B', filter: { not: { segment: a.id } } },
      })
    ).json();
    const cycle = await t.call({
      method: 'PATCH',
      url: `/api/v1/segments/${a.id}`,
      payload: { filter: { or: [{ segment: b.id }] } },
    });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().errors[0].path).toBe('filter.segment');
    expect((await t.call({ method: 'GET', url: `/api/v1/segments/${a.id}` })).json().filter).toEqual({
      field: 'stage',
      op: 'eq',
      value: 'mql',
    });
    const del = await t.call({ method: 'DELETE', url: `/api/v1/segments/${a.id}` });
    expect(del.statusCode).toBe(409);
    expect((await t.call({ method: 'DELETE', url: `/api/v1/segments/${b.id}` })).statusCode).toBe(204);
    expect((await t.call({ method: 'DELETE', url: `/api/v1/segments/${a.id}` })).statusCode).toBe(204);
  });

  it('lists a segment with a cursor, and static lists add and remove by e-mail', async () => {
    const seg = (
      await t.call({
        method: 'POST',
        url: '/api/v1/segments',
        payload: { name: 'Recycled', filter: { field: 'stage', op: 'eq', value: 'recycled' } },
      })
    ).json();
    const want = people
      .filter((p) => p.stage === 'recycled')
      .map((p) => p.id)
      .sort();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await t.call({
          method: 'GET',
          url: `/api/v1/segments/${seg.id}/people?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        })
      ).json();
      seen.push(...page.items.map((p: { id: string }) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(want);
    expect((await t.call({ method: 'GET', url: `/api/v1/segments/${seg.id}/count` })).json()).toEqual({
      count: want.length,
    });
    const q = await t.call({
      method: 'POST',
      url: '/api/v1/people/query',
      payload: { filter: { segment: seg.id }, limit: 500 },
    });
    expect(q.json().items).toHaveLength(want.length);

    const list = (
      await t.call({
        method: 'POST',
        url: '/api/v1/segments',
        payload: { name: 'Seminar guests', kind: 'static' },
      })
    ).json();
    const add = await t.call({
      method: 'POST',
      url: `/api/v1/segments/${list.id}/members`,
      payload: { emails: ['P1@example.jp', 'p2@example.jp', 'nobody@example.jp'] },
    });
    expect(add.json()).toEqual({ added: 2 });
    expect(
      (
        await t.call({
          method: 'POST',
          url: `/api/v1/segments/${list.id}/members`,
          payload: { emails: ['p1@example.jp'] },
        })
      ).json(),
    ).toEqual({ added: 0 });
    const rm = await t.call({
      method: 'POST',
      url: `/api/v1/segments/${list.id}/members/remove`,
      payload: { emails: ['p1@example.jp'] },
    });
    expect(rm.json()).toEqual({ removed: 1 });
    const members = (await t.call({ method: 'GET', url: `/api/v1/segments/${list.id}/people` })).json();
    expect(members.items.map((p: { email: string }) => p.email)).toEqual(['p2@example.jp']);
    const notList = await t.call({
      method: 'POST',
      url: `/api/v1/segments/${seg.id}/members`,
      payload: { emails: ['p3@example.jp'] },
    });
    expect(notList.statusCode).toBe(409);
  });
});
