import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { MODELS } from './attribution.ts';
import { prng } from './test-history.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;

describe('campaigns CRUD and members', () => {
  let id: string;

  it('creates a campaign with channel, dates and cost, and refuses bad input naming the field', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/campaigns',
      as: 'marketing',
      payload: {
        name: '製造業DXセミナー 2026春',
        channel: 'seminar',
        startsOn: '2026-04-10',
        endsOn: '2026-04-10',
        cost: 1_200_000,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    id = r.json().id;
    expect(r.json()).toMatchObject({
      name: '製造業DXセミナー 2026春',
      channel: 'seminar',
      cost: 1_200_000,
      members: 0,
    });
    const bad = await t.call({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: { name: 'x', channel: 'carrier_pigeon' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('channel');
    const dates = await t.call({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: { name: 'y', channel: 'ads', startsOn: '2026-05-01', endsOn: '2026-04-01' },
    });
    expect(dates.json().errors[0].path).toBe('endsOn');
    const dup = await t.call({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: { name: '製造業DXセミナー 2026春', channel: 'seminar' },
    });
    expect(dup.statusCode).toBe(409);
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/v1/campaigns',
          as: 'sales',
          payload: { name: 'z', channel: 'ads' },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('edits, lists and reads a campaign', async () => {
    const r = await t.call({
      method: 'PATCH',
      url: `/api/v1/campaigns/${id}`,
      payload: { cost: 1_500_000, description: '会場費込み' },
    });
    expect(r.json()).toMatchObject({ cost: 1_500_000, description: '会場費込み' });
    const list = await t.call({ method: 'GET', url: '/api/v1/campaigns?channel=seminar', as: 'viewer' });
    expect(list.json().items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(
      (await t.call({ method: 'GET', url: `/api/v1/campaigns/${crypto.randomUUID()}` })).statusCode,
    ).toBe(404);
  });

  it('adds members by e-mail (new people become Inquiries from the campaign’s channel) and tracks their status', async () => {
    const add = await t.call({
      method: 'POST',
      url: `/api/v1/campaigns/${id}/members`,
      payload: {
        items: [
          { email: 'tanaka@kikai.co.jp', status: 'registered' },
          { email: 'suzuki@kikai.co.jp', status: 'invited' },
        ],
      },
    });
    expect(add.statusCode, add.body).toBe(200);
    expect(add.json()).toMatchObject({ added: 2, created: 2 });
    const members = (await t.call({ method: 'GET', url: `/api/v1/campaigns/${id}/members` })).json().items;
    const tanaka = members.find((m: { email: string }) => m.email === 'tanaka@kikai.co.jp');
    expect(tanaka).toMatchObject({ status: 'registered', stage: 'inquiry' });
    const person = (await t.call({ method: 'GET', url: `/api/v1/people/${tanaka.personId}` })).json();
    expect(person).toMatchObject({ channel: 'seminar', source: '製造業DXセミナー 2026春' });
    const again = await t.call({
      method: 'POST',
      url: `/api/v1/campaigns/${id}/members`,
      payload: { personId: tanaka.personId, status: 'attended' },
    });
    expect(again.json()).toMatchObject({ added: 0, updated: 1 });
    const acts = await t.db.query<{ type: string; campaign_id: string }>(
      'SELECT type, campaign_id FROM activities WHERE person_id = $1 ORDER BY id',
      [tanaka.personId],
    );
    expect(acts.rows).toEqual([
      { type: 'event_registered', campaign_id: id },
      { type: 'event_attended', campaign_id: id },
    ]);
    const c = (await t.call({ method: 'GET', url: `/api/v1/campaigns/${id}` })).json();
    expect(c.statuses).toMatchObject({ attended: 1, invited: 1, registered: 0 });
    const bad = await t.call({
      method: 'POST',
      url: `/api/v1/campaigns/${id}/members`,
      payload: { items: [{ email: 'ok@kikai.co.jp' }, { email: 'not-an-email' }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('items[1].email');
    // Nothing half-written: the valid first item was rolled back too.
    expect(
      (await t.call({ method: 'GET', url: '/api/v1/people?email=ok@kikai.co.jp' })).json().items,
    ).toHaveLength(0);
    expect(
      (await t.call({ method: 'DELETE', url: `/api/v1/campaigns/${id}/members/${tanaka.personId}` }))
        .statusCode,
    ).toBe(204);
  });
});

describe('ROI and attribution', () => {
  it('shows ROI as null (not applicable) for a campaign that cost nothing, never Infinity or NaN', async () => {
    const free = (
      await t.call({
        method: 'POST',
        url: '/api/v1/campaigns',
        payload: { name: '紹介キャンペーン', channel: 'referral', cost: 0 },
      })
    ).json();
    const p = (
      await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'won@shokai.co.jp' } })
    ).json();
    await t.call({
      method: 'POST',
      url: `/api/v1/campaigns/${free.id}/members`,
      payload: { personId: p.id, joinedAt: new Date(Date.now() - 10 * DAY).toISOString() },
    });
    await t.db.query(
      `INSERT INTO opportunities (workspace_id, person_id, name, amount, status, created_at, closed_at) VALUES (1, $1, '案件', 3000000, 'won', now() - interval '5 days', now())`,
      [p.id],
    );
    for (const model of MODELS) {
      const r = await t.call({
        method: 'GET',
        url: `/api/v1/campaigns/${free.id}/roi?model=${model}`,
        as: 'viewer',
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        model,
        cost: 0,
        attributedRevenue: 3_000_000,
        pipeline: 3_000_000,
        roi: null,
      });
      expect(r.body).not.toMatch(/Infinity|NaN/);
    }
    const bad = await t.call({ method: 'GET', url: `/api/v1/campaigns/${free.id}/roi?model=u_shaped` });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('model');
  });

  it('attributes, under every model, exactly the won revenue of deals with at least one campaign touch (randomised data)', async () => {
    const random = prng(99);
    const now = Date.now();
    const channels = ['webinar', 'tradeshow', 'ads', 'seminar', 'newsletter'];
    const campaignIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await t.call({
        method: 'POST',
        url: '/api/v1/campaigns',
        payload: {
          name: `rand-${i}`,
          channel: channels[i % channels.length],
          cost: i === 0 ? 0 : Math.floor(random() * 5_000_000),
        },
      });
      campaignIds.push(r.json().id);
    }
    const n = 120;
    const people = Array.from({ length: n }, (_, i) => ({
      id: crypto.randomUUID(),
      email: `r${i}@attr.test`,
      created: now - Math.floor(random() * 300) * DAY,
    }));
    await t.db.query(
      `INSERT INTO people (id, workspace_id, email, created_at) SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[])`,
      [
        people.map((p) => p.id),
        people.map(() => 1),
        people.map((p) => p.email),
        people.map((p) => new Date(p.created)),
      ],
    );
    const members: [string, string, string, Date][] = [];
    const acts: [string, string, Date][] = [];
    for (const p of people) {
      for (const c of campaignIds) {
        if (random() < 0.25)
          members.push([
            c,
            p.id,
            (['member', 'invited', 'registered', 'attended', 'no_show'] as const)[Math.floor(random() * 5)],
            new Date(p.created + Math.floor((random() - 0.3) * 60) * DAY),
          ]);
        if (random() < 0.15) acts.push([c, p.id, new Date(p.created + Math.floor(random() * 90) * DAY)]);
      }
    }
    // An activity of a campaign that no longer exists is no touch.
    acts.push([crypto.randomUUID(), people[0].id, new Date(people[0].created)]);
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at) SELECT 1, * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])`,
      [
        members.map((m) => m[0]),
        members.map((m) => m[1]),
        members.map((m) => m[2]),
        members.map((m) => m[3]),
      ],
    );
    await t.db.query(
      `INSERT INTO activities (workspace_id, campaign_id, person_id, type, occurred_at) SELECT 1, c, p, 'email_click', at FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS u(c, p, at)`,
      [acts.map((a) => a[0]), acts.map((a) => a[1]), acts.map((a) => a[2])],
    );
    const opps = people
      .filter(() => random() < 0.5)
      .map((p) => {
        const created = p.created + Math.floor(random() * 120) * DAY;
        const status = (['open', 'won', 'won', 'lost'] as const)[Math.floor(random() * 4)];
        return {
          personId: p.id,
          amount: Math.floor(random() * 20_000_000),
          status,
          created,
          closed: status === 'open' ? null : created + Math.floor(random() * 60) * DAY,
        };
      });
    await t.db.query(
      `INSERT INTO opportunities (workspace_id, person_id, name, amount, status, created_at, closed_at)
       SELECT 1, p, 'deal', a, s, c, cl FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS u(p, a, s, c, cl)`,
      [
        opps.map((o) => o.personId),
        opps.map((o) => o.amount),
        opps.map((o) => o.status),
        opps.map((o) => new Date(o.created)),
        opps.map((o) => (o.closed ? new Date(o.closed) : null)),
      ],
    );

    // Independently: which won deals had a touch (a non-invited membership or an activity of an existing campaign) by their creation?
    const allOpps = (
      await t.db.query<{ person_id: string; amount: number; status: string; created_at: Date }>(
        'SELECT person_id, amount, status, created_at FROM opportunities',
      )
    ).rows;
    const allMembers = (
      await t.db.query<{ person_id: string; status: string; joined_at: Date }>(
        'SELECT person_id, status, joined_at FROM campaign_members',
      )
    ).rows;
    const allActs = (
      await t.db.query<{ person_id: string; occurred_at: Date; exists: boolean }>(
        'SELECT a.person_id, a.occurred_at, c.id IS NOT NULL AS exists FROM activities a LEFT JOIN campaigns c ON c.id = a.campaign_id WHERE a.campaign_id IS NOT NULL',
      )
    ).rows;
    const touchedBy = (personId: string, at: Date) =>
      allMembers.some((m) => m.person_id === personId && m.status !== 'invited' && m.joined_at <= at) ||
      allActs.some((a) => a.person_id === personId && a.exists && a.occurred_at <= at);
    const wonTouched = allOpps
      .filter((o) => o.status === 'won' && touchedBy(o.person_id, o.created_at))
      .reduce((s, o) => s + o.amount, 0);
    const pipeTouched = allOpps
      .filter((o) => touchedBy(o.person_id, o.created_at))
      .reduce((s, o) => s + o.amount, 0);
    expect(wonTouched).toBeGreaterThan(0);

    for (const model of MODELS) {
      const r = await t.call({ method: 'GET', url: `/api/v1/campaigns/roi?model=${model}`, as: 'viewer' });
      expect(r.statusCode).toBe(200);
      const body = r.json();
      const sum = body.campaigns.reduce(
        (s: number, c: { attributedRevenue: number }) => s + c.attributedRevenue,
        0,
      );
      expect(sum).toBe(wonTouched);
      expect(body.touched.wonRevenue).toBe(wonTouched);
      expect(body.campaigns.reduce((s: number, c: { pipeline: number }) => s + c.pipeline, 0)).toBe(
        pipeTouched,
      );
      expect(
        body.channels.reduce((s: number, c: { attributedRevenue: number }) => s + c.attributedRevenue, 0),
      ).toBe(wonTouched);
      for (const c of body.campaigns) {
        if (c.cost === 0) expect(c.roi).toBeNull();
        else expect(c.roi).toBeCloseTo((c.attributedRevenue - c.cost) / c.cost, 9);
      }
      expect(r.body).not.toMatch(/Infinity|NaN/);
    }
    // The funnel's campaign breakdown groups people by their first touch (same touch definition).
    await t.db.query(
      `INSERT INTO stage_transitions (workspace_id, person_id, to_stage, at, actor_type) SELECT 1, id, 'inquiry', at, 'system' FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)`,
      [people.map((p) => p.id), people.map((p) => new Date(p.created))],
    );
    const firstTouch = new Map<string, string>();
    for (const p of people) {
      const touches = [
        ...members
          .filter((m) => m[1] === p.id && m[2] !== 'invited')
          .map((m) => ({ c: m[0], at: m[3].getTime() })),
        ...acts
          .filter((a) => a[1] === p.id && campaignIds.includes(a[0]))
          .map((a) => ({ c: a[0], at: a[2].getTime() })),
      ].sort((x, y) => x.at - y.at || x.c.localeCompare(y.c));
      if (touches.length) firstTouch.set(p.id, touches[0].c);
    }
    const today = new Date(now + 9 * 3_600_000).toISOString().slice(0, 10);
    const byCampaign = (
      await t.call({
        method: 'GET',
        url: `/api/v1/funnel?from=${new Date(now - 400 * DAY).toISOString().slice(0, 10)}&to=${today}&by=campaign`,
      })
    ).json();
    for (const id of campaignIds) {
      const group = byCampaign.breakdown.find((g: { value: string }) => g.value === id);
      const expected = people.filter((p) => firstTouch.get(p.id) === id).length;
      expect(group?.stages[0].count ?? 0).toBe(expected);
      if (group) expect(group.label).toMatch(/^rand-/);
    }

    // First touch and last touch differ on this data; both still add up.
    const first = (await t.call({ method: 'GET', url: '/api/v1/campaigns/roi?model=first_touch' })).json();
    const last = (await t.call({ method: 'GET', url: '/api/v1/campaigns/roi?model=last_touch' })).json();
    expect(first.campaigns.map((c: { attributedRevenue: number }) => c.attributedRevenue)).not.toEqual(
      last.campaigns.map((c: { attributedRevenue: number }) => c.attributedRevenue),
    );
  });

  it('limits attribution to a period and refuses a period the wrong way round', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await t.call({
      method: 'GET',
      url: `/api/v1/campaigns/roi?model=linear&from=${today}&to=${today}`,
    });
    expect(r.statusCode).toBe(200);
    const bad = await t.call({ method: 'GET', url: '/api/v1/campaigns/roi?from=2026-03-01&to=2026-01-01' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('from');
  });
});
