import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('people API', () => {
  it('upserts by e-mail, case-insensitively and across full-width characters', async () => {
    const first = await t.call({
      method: 'POST',
      url: '/api/v1/people',
      payload: { email: 'Taro.Yamada@Example.co.jp', lastName: '山田', firstName: '太郎', lastNameKana: 'ﾔﾏﾀﾞ' },
    });
    expect(first.statusCode).toBe(201);
    const created = first.json();
    expect(created.email).toBe('taro.yamada@example.co.jp');
    expect(created.stage).toBe('inquiry');
    expect(created.lastNameKana).toBe('ヤマダ');

    const again = await t.call({
      method: 'POST',
      url: '/api/v1/people',
      payload: { email: 'ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ', lastName: '', title: '情報システム部長' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(created.id);
    expect(again.json().lastName).toBe('山田');
    expect(again.json().title).toBe('情報システム部長');
  });

  it('never overwrites the first-touch source and channel', async () => {
    await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'first@acme.jp', source: '展示会2026', channel: 'tradeshow' } });
    const r = await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'first@acme.jp', source: 'google', channel: 'ads' } });
    expect(r.json().source).toBe('展示会2026');
    expect(r.json().channel).toBe('tradeshow');
  });

  it('links business domains to one account but never free-mail domains', async () => {
    const a = (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'a@widget.co.jp', company: '株式会社ウィジェット' } })).json();
    const b = (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'b@widget.co.jp' } })).json();
    const g = (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'someone@gmail.com', company: 'Gmail User' } })).json();
    expect(a.accountId).toBeTruthy();
    expect(b.accountId).toBe(a.accountId);
    expect(g.accountId).toBeNull();
    const account = (await t.call({ method: 'GET', url: `/api/v1/accounts/${a.accountId}` })).json();
    expect(account.name).toBe('株式会社ウィジェット');
    expect(account.people).toHaveLength(2);
  });

  it('lists with filters, free text over kana, and a stable cursor', async () => {
    for (let i = 0; i < 7; i++) {
      await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: `list${i}@paging.jp`, lastName: '佐藤', lastNameKana: 'サトウ' } });
    }
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const r = await t.call({ method: 'GET', url: `/api/v1/people?q=サトウ&limit=3${cursor ? `&cursor=${cursor}` : ''}` });
      expect(r.statusCode).toBe(200);
      for (const p of r.json().items) seen.add(p.id);
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(seen.size).toBe(7);
    // A reading typed in hiragana finds the katakana one.
    const hira = await t.call({ method: 'GET', url: `/api/v1/people?q=${encodeURIComponent('さとう')}&limit=50` });
    expect(hira.json().items.filter((p: { email: string }) => p.email.endsWith('@paging.jp'))).toHaveLength(7);
    const bad = await t.call({ method: 'GET', url: '/api/v1/people?stage=nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors[0].path).toContain('stage');
  });

  it('pages through people created within the same millisecond without skipping any', async () => {
    await t.db.query(
      `INSERT INTO people (workspace_id, email, created_at, updated_at)
       SELECT 1, 'micro' || i || '@paging.jp', '2031-01-01 00:00:00.123'::timestamptz + make_interval(secs => i / 1000000.0),
              '2031-01-01 00:00:00.123'::timestamptz FROM generate_series(1, 5) i`,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.call({ method: 'GET', url: `/api/v1/people?q=micro&limit=1${cursor ? `&cursor=${cursor}` : ''}` });
      seen.push(...r.json().items.map((p: { email: string }) => p.email));
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1].map((i) => `micro${i}@paging.jp`));
  });

  it('rejects bad input with problem+json naming the field and changes nothing', async () => {
    const before = (await t.call({ method: 'GET', url: '/api/v1/people?limit=500' })).json().items.length;
    const badEmail = await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'not-an-email' } });
    expect(badEmail.statusCode).toBe(422);
    expect(badEmail.json().errors).toEqual([{ path: 'email', message: expect.any(String) }]);
    const wrongType = await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'x@y.jp', employeeCount: 'many' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().errors[0].path).toBe('employeeCount');
    const malformed = await t.call({
      method: 'POST',
      url: '/api/v1/people',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().type).toContain('malformed-body');
    const huge = await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'big@y.jp', title: 'x'.repeat(2_000_000) } });
    expect(huge.statusCode).toBe(413);
    expect(JSON.stringify(huge.json())).not.toContain('at ');
    const after = (await t.call({ method: 'GET', url: '/api/v1/people?limit=500' })).json().items.length;
    expect(after).toBe(before);
  });

  it('replays a create with the same Idempotency-Key instead of repeating it', async () => {
    const send = () =>
      t.call({ method: 'POST', url: '/api/v1/people', headers: { 'idempotency-key': 'k-1' }, payload: { email: 'idem@x.jp' } });
    const a = await send();
    const b = await send();
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
  });

  it('patches with an audit trail of before and after', async () => {
    const p = (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'patch@x.jp', title: '課長' } })).json();
    const r = await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: '部長', phone: '０３－１２３４－５６７８' } });
    expect(r.json().title).toBe('部長');
    expect(r.json().phone).toBe('03-1234-5678');
    const log = (await t.call({ method: 'GET', url: `/api/v1/audit-log?entityType=person&entityId=${p.id}` })).json();
    const update = log.items.find((x: { action: string }) => x.action === 'person.updated');
    expect(update.changes.title).toEqual(['課長', '部長']);
  });

  it('erases a person with their activities, keeping no personal data in the audit log', async () => {
    const p = (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'erase.me@x.jp', lastName: '消去' } })).json();
    await t.db.query(`INSERT INTO activities (workspace_id, person_id, type) VALUES (1, $1, 'page_view')`, [p.id]);
    const del = await t.call({ method: 'DELETE', url: `/api/v1/people/${p.id}` });
    expect(del.statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${p.id}` })).statusCode).toBe(404);
    const left = await t.db.query('SELECT count(*)::int AS n FROM activities WHERE person_id = $1', [p.id]);
    expect(left.rows[0]).toEqual({ n: 0 });
    const audit = await t.db.query<{ changes: unknown; meta: unknown }>(
      `SELECT changes, meta FROM audit_log WHERE entity_id = $1 AND action = 'person.erased'`,
      [p.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows)).not.toContain('erase.me');
  });

  it('shows the timeline of activities and stage changes, newest first', async () => {
    const p = (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'story@x.jp' } })).json();
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties) VALUES (1, $1, 'page_view', now() + interval '1 minute', '{"url":"/pricing"}')`,
      [p.id],
    );
    const r = (await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/timeline` })).json();
    expect(r.items.map((x: { type: string }) => x.type)).toEqual(['page_view', 'stage_changed']);
    expect(r.items[1].properties.to).toBe('inquiry');
  });

  it('pages a timeline whose entries lie microseconds apart within one millisecond, losing none', async () => {
    const p = (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email: 'burst@acme.jp' } })).json();
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at)
       SELECT 1, $1, 'page_view', timestamptz '2026-04-01 10:00:00.000100+00' + make_interval(secs => i / 1000000.0)
       FROM generate_series(0, 400, 100) AS i`,
      [p.id],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r = await t.call({
        method: 'GET',
        url: `/api/v1/people/${p.id}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(r.statusCode).toBe(200);
      seen.push(...r.json().items.filter((x: { kind: string }) => x.kind === 'activity').map((x: { id: string }) => x.id));
      cursor = r.json().nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
