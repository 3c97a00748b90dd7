import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.ts';

let t: TestApp;
let campaignId: string;
beforeAll(async () => {
  t = await createTestApp();
  const c = await t.db.query<{ id: string }>(
    `INSERT INTO campaigns (workspace_id, name, channel) VALUES (1, 'ウェビナー「製造業のデータ活用」', 'webinar') RETURNING id`,
  );
  campaignId = c.rows[0].id;
});
afterAll(async () => {
  await t?.close();
});

const post = (payload: unknown, as: 'admin' | 'marketing' | 'sales' | 'viewer' = 'marketing', headers = {}) =>
  t.call({ method: 'POST', url: '/api/v1/activities', payload: payload as object, as, headers });
const personByEmail = async (email: string) =>
  (await t.db.query<Record<string, unknown>>('SELECT * FROM people WHERE email = $1', [email])).rows[0];
const countActivities = async (personId: string) =>
  (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM activities WHERE person_id = $1', [personId]))
    .rows[0].n;

describe('POST /api/v1/activities — one activity', () => {
  it('creates an unknown e-mail as an Inquiry with the API as first touch, and records the activity', async () => {
    const r = await post({
      email: 'ＹＵＫＩ.sato@Kansai-Denki.co.jp',
      type: 'page_view',
      properties: { url: 'https://example.jp/pricing' },
    });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body).toMatchObject({ type: 'page_view', created: true, personCreated: true });
    const p = await personByEmail('yuki.sato@kansai-denki.co.jp');
    expect(p).toMatchObject({ id: body.personId, stage: 'inquiry', channel: 'api', source: 'api' });
    expect(p.account_id).not.toBeNull();
    const tr = await t.db.query('SELECT to_stage FROM stage_transitions WHERE person_id = $1', [p.id]);
    expect(tr.rows).toEqual([{ to_stage: 'inquiry' }]);
    const ev = await t.db.query<{ type: string }>(
      "SELECT type FROM events WHERE person_id = $1 AND type = 'person.created'",
      [p.id],
    );
    expect(ev.rows).toHaveLength(1);
    const timeline = (await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/timeline` })).json();
    expect(timeline.items.map((i: { type: string }) => i.type)).toContain('page_view');
  });

  it('keeps a free-mail address out of any account and takes the first touch from UTM parameters', async () => {
    const r = await post({
      email: 'hanako@gmail.com',
      type: 'page_view',
      properties: {
        url: 'https://example.jp/?utm_source=google&utm_medium=cpc',
        utm_source: 'google',
        utm_medium: 'cpc',
      },
    });
    expect(r.statusCode).toBe(201);
    expect(await personByEmail('hanako@gmail.com')).toMatchObject({
      account_id: null,
      source: 'google',
      channel: 'ads',
    });
  });

  it('accepts history: occurredAt in the past is stored as given, and the Inquiry dates from it', async () => {
    const at = '2025-04-01T09:30:00+09:00';
    const r = await post({
      email: 'history@towa-seiki.co.jp',
      type: 'event_attended',
      occurredAt: at,
      campaignId,
    });
    expect(r.statusCode).toBe(201);
    const p = await personByEmail('history@towa-seiki.co.jp');
    expect((p.created_at as Date).toISOString()).toBe('2025-04-01T00:30:00.000Z');
    const a = await t.db.query<{ occurred_at: Date; campaign_id: string }>(
      'SELECT occurred_at, campaign_id FROM activities WHERE person_id = $1',
      [p.id],
    );
    expect(a.rows[0].occurred_at.toISOString()).toBe('2025-04-01T00:30:00.000Z');
    expect(a.rows[0].campaign_id).toBe(campaignId);
    const m = await t.db.query(
      'SELECT status FROM campaign_members WHERE campaign_id = $1 AND person_id = $2',
      [campaignId, p.id],
    );
    expect(m.rows).toEqual([{ status: 'attended' }]);
  });

  it('ingests an activity with a client id once, however often it is retried', async () => {
    const item = {
      id: 'crm-call-0001',
      email: 'retry@towa-seiki.co.jp',
      type: 'sales_call',
      properties: { minutes: 12 },
    };
    const first = await post(item);
    const second = await post(item);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({
      id: first.json().id,
      created: false,
      personId: first.json().personId,
    });
    expect(await countActivities(first.json().personId)).toBe(1);
  });

  it('records an activity for a known person by id and leaves their profile alone', async () => {
    const p = (
      await t.call({
        method: 'POST',
        url: '/api/v1/people',
        payload: { email: 'known@towa-seiki.co.jp', lastName: '既知', channel: 'tradeshow' },
      })
    ).json();
    const r = await post({ personId: p.id, type: 'meeting' });
    expect(r.statusCode).toBe(201);
    expect(await personByEmail('known@towa-seiki.co.jp')).toMatchObject({
      last_name: '既知',
      channel: 'tradeshow',
    });
  });

  it('marks the people it touched for a scoring refresh, in the same transaction, and the worker drains the marks', async () => {
    const r = await post({ email: 'scored@towa-seiki.co.jp', type: 'content_download' });
    const personId = r.json().personId;
    const marked = await t.db.query('SELECT 1 FROM scoring_dirty WHERE person_id = $1', [personId]);
    expect(marked.rows).toHaveLength(1);
    const pending = async () =>
      (
        await t.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM jobs WHERE queue = 'scoring.refresh' AND status = 'pending'",
        )
      ).rows[0].n;
    expect(await pending()).toBe(1);
    // A second activity of someone else joins the same refresh: no second job.
    await post({
      email: 'scored-too@towa-seiki.co.jp',
      type: 'page_view',
      properties: { url: 'https://x.example/pricing' },
    });
    expect(await pending()).toBe(1);
    await t.worker.drain();
    expect((await t.db.query('SELECT 1 FROM scoring_dirty')).rows).toHaveLength(0);
    // (What the drain computes is src/scoring/scoring.test.ts's part: this workspace has no rule set.)
  });
});

describe('POST /api/v1/activities — batches', () => {
  it('ingests 2,000 activities for 500 people, half of them new, in one request', async () => {
    await post({
      items: Array.from({ length: 250 }, (_, i) => ({
        email: `old${i}@batch-corp.co.jp`,
        type: 'page_view',
      })),
    });
    const items = Array.from({ length: 2_000 }, (_, i) => ({
      id: `batch-${i}`,
      email:
        i % 2
          ? `old${Math.floor(i / 2) % 250}@batch-corp.co.jp`
          : `new${Math.floor(i / 2) % 250}@batch-corp.co.jp`,
      type: i % 3 ? 'page_view' : 'email_open',
      occurredAt: new Date(Date.now() - i * 60_000).toISOString(),
      properties: { url: `https://batch-corp.co.jp/p/${i}` },
    }));
    const r = await post({ items });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ inserted: 2_000, duplicates: 0, peopleCreated: 250 });
    expect(r.json().items).toHaveLength(2_000);
    const n = await t.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM people WHERE email LIKE '%@batch-corp.co.jp'",
    );
    expect(n.rows[0].n).toBe(500);
    const accounts = await t.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM accounts WHERE domain = 'batch-corp.co.jp'",
    );
    expect(accounts.rows[0].n).toBe(1);
    const again = await post({ items });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ inserted: 0, duplicates: 2_000, peopleCreated: 0 });
    const acts = await t.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM activities WHERE client_id LIKE 'batch-%'",
    );
    expect(acts.rows[0].n).toBe(2_000);
  });

  it('counts a client id repeated inside one batch once', async () => {
    const r = await post({
      items: [
        { id: 'dup-in-batch', email: 'dup@batch-corp.co.jp', type: 'email_open' },
        { id: 'dup-in-batch', email: 'dup@batch-corp.co.jp', type: 'email_open' },
      ],
    });
    expect(r.json()).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(r.json().items.map((i: { created: boolean }) => i.created)).toEqual([true, false]);
  });

  it('accepts 10,000 activities and rejects 10,001 with a 422 naming items', async () => {
    const make = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ email: `bulk${i % 1000}@bulk-co.jp`, type: 'page_view' }));
    const ok = await post({ items: make(10_000) });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().inserted).toBe(10_000);
    const tooMany = await post({ items: make(10_001) });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.headers['content-type']).toContain('application/problem+json');
    expect(tooMany.json().errors[0].path).toBe('items');
  });
});

describe('POST /api/v1/activities — bad input', () => {
  it('names the item index and field of every problem, and writes nothing', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM activities')).rows[0].n;
    const r = await post({
      items: [
        { email: 'fine@bad-input.co.jp', type: 'page_view' },
        { email: 'not-an-email', type: 'page_view' },
        { email: 'fine2@bad-input.co.jp', type: 'page_veiw' },
        { type: 'meeting' },
        { email: 'future@bad-input.co.jp', type: 'meeting', occurredAt: '2999-01-01T00:00:00Z' },
        { email: 'x@bad-input.co.jp', type: 'meeting', occurredAt: 'yesterday' },
      ],
    });
    expect(r.statusCode).toBe(422);
    const paths = r.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'items[1].email',
        'items[2].type',
        'items[3].email',
        'items[4].occurredAt',
        'items[5].occurredAt',
      ]),
    );
    expect(paths).not.toContain('items[0].email');
    const after = (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM activities')).rows[0].n;
    expect(after).toBe(before);
    expect(await personByEmail('fine@bad-input.co.jp')).toBeUndefined();
  });

  it('rejects an unknown personId or campaignId with 422 naming the item', async () => {
    const r = await post({
      items: [
        { email: 'ok@bad-input.co.jp', type: 'page_view' },
        { personId: '00000000-0000-4000-8000-000000000000', type: 'page_view' },
        {
          email: 'ok@bad-input.co.jp',
          type: 'page_view',
          campaignId: '00000000-0000-4000-8000-000000000001',
        },
      ],
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'items[1].personId',
      'items[2].campaignId',
    ]);
    expect(await personByEmail('ok@bad-input.co.jp')).toBeUndefined();
  });

  it('answers 422 naming the field for a single bad activity, and 403 for a viewer', async () => {
    const r = await post({ email: 'a@b.co.jp', type: 'page_view', properties: 'nope' });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors[0].path).toBe('properties');
    expect((await post({ email: 'a@b.co.jp', type: 'page_view' }, 'viewer')).statusCode).toBe(403);
    const malformed = await t.call({
      method: 'POST',
      url: '/api/v1/activities',
      payload: '{"items": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
  });
});
