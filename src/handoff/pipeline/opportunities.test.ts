import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { routeTo } from './person-stage.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

let seq = 0;
async function person(stage?: string, extra: Record<string, unknown> = {}) {
  seq++;
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/people',
    payload: {
      email: `buyer${seq}@opp-${seq}.co.jp`,
      lastName: '山田',
      firstName: `太郎${seq}`,
      company: `株式会社テスト${seq}`,
      ...extra,
    },
  });
  expect(r.statusCode).toBeLessThan(300);
  const p = r.json() as { id: string; accountId: string | null };
  if (stage) {
    const s = await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, payload: { stage } });
    expect(s.statusCode).toBe(200);
  }
  return p;
}
const stageOf = async (id: string) =>
  (await t.call({ method: 'GET', url: `/api/v1/people/${id}` })).json().stage as string;
const open = (personId: string, extra: Record<string, unknown> = {}) =>
  t.call({
    method: 'POST',
    url: '/api/v1/opportunities',
    payload: { personId, name: '基幹システム刷新', amount: 4_800_000, ...extra },
    as: 'sales',
  });
const patch = (id: string, payload: Record<string, unknown>) =>
  t.call({ method: 'PATCH', url: `/api/v1/opportunities/${id}`, payload, as: 'sales' });

describe('routes through the waterfall', () => {
  it('goes to SQL directly where the table allows it, through SGL from an untouched inquiry, nowhere from disqualified', () => {
    expect(routeTo('mql', 'sql')).toEqual(['sql']);
    expect(routeTo('inquiry', 'sql')).toEqual(['sgl', 'sql']);
    expect(routeTo('recycled', 'won')).toEqual(['sql', 'won']);
    expect(routeTo('sql', 'sql')).toEqual([]);
    expect(routeTo('disqualified', 'sql')).toBeUndefined();
  });
});

describe('opportunity lifecycle', () => {
  it('opening an opportunity links the person and its account, and moves an MQL to SQL', async () => {
    const p = await person('mql');
    const r = await open(p.id, { expectedCloseDate: '2026-12-25', stage: 'proposal', externalId: 'SF-0001' });
    expect(r.statusCode).toBe(201);
    const o = r.json();
    expect(o).toMatchObject({
      personId: p.id,
      accountId: p.accountId,
      name: '基幹システム刷新',
      amount: 4_800_000,
      currency: 'JPY',
      stage: 'proposal',
      status: 'open',
      expectedCloseDate: '2026-12-25',
      externalId: 'SF-0001',
    });
    expect(p.accountId).toBeTruthy();
    expect(o.person).toMatchObject({ id: p.id, company: expect.stringContaining('株式会社テスト') });
    expect(await stageOf(p.id)).toBe('sql');
    const got = await t.call({ method: 'GET', url: `/api/v1/opportunities/${o.id}`, as: 'viewer' });
    expect(got.json().id).toBe(o.id);
  });

  it('an opportunity on an untouched inquiry makes it sales-generated on the way to SQL', async () => {
    const p = await person();
    expect((await open(p.id)).statusCode).toBe(201);
    const tr = await t.db.query<{ to_stage: string }>(
      'SELECT to_stage FROM stage_transitions WHERE person_id = $1 ORDER BY id',
      [p.id],
    );
    expect(tr.rows.map((r) => r.to_stage)).toEqual(['inquiry', 'sgl', 'sql']);
  });

  it('closing won moves the person to Won and emits opportunity.closed; closing again is 409', async () => {
    const p = await person('mql');
    const o = (await open(p.id)).json();
    const won = await patch(o.id, { status: 'won', amount: 5_000_000 });
    expect(won.statusCode).toBe(200);
    expect(won.json()).toMatchObject({ status: 'won', amount: 5_000_000, lossReason: null });
    expect(won.json().closedAt).toBeTruthy();
    expect(await stageOf(p.id)).toBe('won');
    const ev = await t.db.query<{ type: string; data: { status: string; amount: number } }>(
      `SELECT type, data FROM events WHERE person_id = $1 AND type LIKE 'opportunity.%' ORDER BY id`,
      [p.id],
    );
    expect(ev.rows.map((e) => e.type)).toEqual(['opportunity.created', 'opportunity.closed']);
    expect(ev.rows[1].data).toMatchObject({ status: 'won', amount: 5_000_000 });

    const again = await patch(o.id, { status: 'lost', lossReason: '競合' });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect((await patch(o.id, { status: 'won' })).statusCode).toBe(409);
    expect(await stageOf(p.id)).toBe('won');
  });

  it('closing lost needs a reason (422 naming lossReason) and then moves the person to Lost', async () => {
    const p = await person('mql');
    const o = (await open(p.id)).json();
    const bad = await patch(o.id, { status: 'lost' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('lossReason');
    expect((await patch(o.id, { status: 'lost', lossReason: '   ' })).statusCode).toBe(422);
    expect((await t.call({ method: 'GET', url: `/api/v1/opportunities/${o.id}` })).json().status).toBe(
      'open',
    );
    expect(await stageOf(p.id)).toBe('sql');
    const lost = await patch(o.id, { status: 'lost', lossReason: '予算なし' });
    expect(lost.json()).toMatchObject({ status: 'lost', lossReason: '予算なし' });
    expect(await stageOf(p.id)).toBe('lost');
  });

  it('a lost deal leaves a person in SQL while another deal is still open', async () => {
    const p = await person('mql');
    const a = (await open(p.id, { name: 'A' })).json();
    const b = (await open(p.id, { name: 'B' })).json();
    await patch(a.id, { status: 'lost', lossReason: '時期尚早' });
    expect(await stageOf(p.id)).toBe('sql');
    await patch(b.id, { status: 'won' });
    expect(await stageOf(p.id)).toBe('won');
  });

  it('reopening a lost deal moves the person back to SQL', async () => {
    const p = await person('mql');
    const o = (await open(p.id)).json();
    await patch(o.id, { status: 'lost', lossReason: '競合' });
    const r = await patch(o.id, { status: 'open' });
    expect(r.json()).toMatchObject({ status: 'open', closedAt: null, lossReason: null });
    expect(await stageOf(p.id)).toBe('sql');
  });

  it('a Lost person is recycled by the periodic job after the configured days, once', async () => {
    const put = await t.call({
      method: 'PUT',
      url: '/api/v1/pipeline/settings',
      payload: { recycleLostAfterDays: 30, lossReasons: ['競合', '予算なし'] },
    });
    expect(put.statusCode).toBe(200);
    const oldLoss = await person('mql');
    const freshLoss = await person('mql');
    for (const p of [oldLoss, freshLoss]) {
      const o = (await open(p.id)).json();
      await patch(o.id, { status: 'lost', lossReason: '競合' });
    }
    await t.db.query(`UPDATE people SET stage_changed_at = now() - interval '31 days' WHERE id = $1`, [
      oldLoss.id,
    ]);
    await t.db.query(`DELETE FROM jobs WHERE queue = 'pipeline.recycle-lost'`);
    await t.worker.drain();
    expect(await stageOf(oldLoss.id)).toBe('recycled');
    expect(await stageOf(freshLoss.id)).toBe('lost');
    // A second run (another bucket) changes nothing twice.
    await t.db.query(`DELETE FROM jobs WHERE queue = 'pipeline.recycle-lost'`);
    const { recycleLostPeople } = await import('./recycle.ts');
    await recycleLostPeople(
      {},
      {
        ...t.ctx,
        job: { id: 0, queue: 'pipeline.recycle-lost', payload: {}, key: null, attempts: 1, max_attempts: 1 },
      },
    );
    const n = await t.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM stage_transitions WHERE person_id = $1 AND to_stage = 'recycled'`,
      [oldLoss.id],
    );
    expect(n.rows[0].n).toBe(1);
    const tr = await t.db.query<{ reason: string; actor_type: string }>(
      `SELECT reason, actor_type FROM stage_transitions WHERE person_id = $1 AND to_stage = 'recycled'`,
      [oldLoss.id],
    );
    expect(tr.rows[0]).toEqual({ reason: 'lost-timeout', actor_type: 'system' });
  });
});

describe('people on a deal', () => {
  it('moves the other people on a deal with it: to SQL on open, to Won on close, and lists it on their lead page', async () => {
    const lead = await person('mql');
    const cfo = await person('mql');
    const engineer = await person();
    const o = (await open(lead.id, { contactIds: [cfo.id, lead.id] })).json();
    expect(await stageOf(cfo.id)).toBe('sql');
    const added = await patch(o.id, { contactIds: [cfo.id, engineer.id] });
    expect(
      added
        .json()
        .contacts.map((c: { id: string }) => c.id)
        .sort(),
    ).toEqual([cfo.id, engineer.id].sort());
    expect(await stageOf(engineer.id)).toBe('sql');
    const mine = (
      await t.call({ method: 'GET', url: `/api/v1/opportunities?personId=${engineer.id}` })
    ).json().items;
    expect(mine.map((x: { id: string }) => x.id)).toEqual([o.id]);
    await patch(o.id, { status: 'won' });
    for (const p of [lead, cfo, engineer]) expect(await stageOf(p.id)).toBe('won');
    const bad = await patch(o.id, { contactIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('contactIds');
  });
});

describe('bad input and permissions', () => {
  it('refuses unknown people, bad amounts and currencies with the field named, and writes nothing', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM opportunities')).rows[0].n;
    const unknown = await open('00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].path).toBe('personId');
    const p = await person('mql');
    const neg = await open(p.id, { amount: -1 });
    expect(neg.statusCode).toBe(400);
    expect(JSON.stringify(neg.json().errors)).toContain('amount');
    const cur = await open(p.id, { currency: 'yen' });
    expect(cur.statusCode).toBe(400);
    expect(JSON.stringify(cur.json().errors)).toContain('currency');
    expect((await t.db.query<{ n: number }>('SELECT count(*) AS n FROM opportunities')).rows[0].n).toBe(
      before,
    );
    expect(await stageOf(p.id)).toBe('mql');
  });

  it('refuses a duplicate external id with 422 and a disqualified person with 409', async () => {
    const p = await person('mql');
    expect((await open(p.id, { externalId: 'DUP-1' })).statusCode).toBe(201);
    const dup = await open(p.id, { externalId: 'DUP-1' });
    expect(dup.statusCode).toBe(422);
    expect(dup.json().errors[0].path).toBe('externalId');
    const d = await person('disqualified');
    expect((await open(d.id)).statusCode).toBe(409);
  });

  it('lets viewers read but not write, and marketing not close deals', async () => {
    const p = await person('mql');
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/v1/opportunities',
          payload: { personId: p.id, name: 'x', amount: 1 },
          as: 'viewer',
        })
      ).statusCode,
    ).toBe(403);
    const o = (await open(p.id)).json();
    expect(
      (
        await t.call({
          method: 'PATCH',
          url: `/api/v1/opportunities/${o.id}`,
          payload: { status: 'won' },
          as: 'marketing',
        })
      ).statusCode,
    ).toBe(403);
    expect((await t.call({ method: 'GET', url: '/api/v1/opportunities', as: 'viewer' })).statusCode).toBe(
      200,
    );
  });
});

describe('listing and the pipeline', () => {
  it('lists by person and status with a cursor, and sums open deals per sales stage', async () => {
    const p = await person('mql');
    for (let i = 0; i < 3; i++)
      await open(p.id, {
        name: `案件${i}`,
        amount: 1_000_000 * (i + 1),
        stage: i === 2 ? 'negotiation' : 'quote',
      });
    const page1 = (
      await t.call({ method: 'GET', url: `/api/v1/opportunities?personId=${p.id}&limit=2` })
    ).json();
    expect(page1.items.map((o: { name: string }) => o.name)).toEqual(['案件2', '案件1']);
    const page2 = (
      await t.call({
        method: 'GET',
        url: `/api/v1/opportunities?personId=${p.id}&limit=2&cursor=${page1.nextCursor}`,
      })
    ).json();
    expect(page2.items.map((o: { name: string }) => o.name)).toEqual(['案件0']);
    expect(page2.nextCursor).toBeNull();

    const all = await t.db.query<{ stage: string; total: number }>(
      `SELECT stage, sum(amount) AS total FROM opportunities WHERE status = 'open' GROUP BY stage`,
    );
    const summary = (await t.call({ method: 'GET', url: '/api/v1/opportunities/pipeline' })).json();
    for (const col of summary.open) {
      const expected = all.rows.find((r) => r.stage === col.stage)?.total ?? 0;
      expect(col.amounts.JPY ?? 0).toBe(Number(expected));
    }
    expect(summary.open.find((c: { stage: string }) => c.stage === 'quote').count).toBeGreaterThanOrEqual(2);
  });
});

describe('the demo part', () => {
  it('spreads open deals over the sales stages and adds one disabled sample webhook, also when run twice', async () => {
    const { seedPipelineDemo } = await import('./demo.ts');
    const p = await person('mql');
    for (let i = 0; i < 4; i++) await open(p.id, { name: `デモ案件${i}` });
    const seedCtx = { db: t.db, clock: t.ctx.clock, log: t.ctx.log, random: () => 0.5 };
    await seedPipelineDemo(seedCtx);
    await seedPipelineDemo(seedCtx);
    const stages = await t.db.query<{ stage: string }>(
      `SELECT DISTINCT stage FROM opportunities WHERE status = 'open'`,
    );
    expect(stages.rows.length).toBe(4);
    const subs = await t.db.query<{ enabled: boolean; url: string }>(
      'SELECT enabled, url FROM webhook_subscriptions',
    );
    expect(subs.rows).toEqual([{ enabled: false, url: 'https://example.invalid/hook' }]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the opportunity, outcome and webhook paths', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    for (const path of [
      '/api/v1/opportunities',
      '/api/v1/opportunities/{id}',
      '/api/v1/opportunities/pipeline',
      '/api/v1/opportunities/outcomes',
      '/api/v1/opportunities/outcomes/import',
      '/api/v1/webhooks',
      '/api/v1/webhooks/{id}',
      '/api/v1/webhooks/{id}/deliveries',
      '/api/v1/webhooks/{id}/deliveries/{deliveryId}/replay',
    ]) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
    expect(spec.paths['/api/v1/opportunities'].post.tags).toEqual(['opportunities']);
    expect(JSON.stringify(spec.paths['/api/v1/opportunities'].post)).toContain('personId');
  });
});
