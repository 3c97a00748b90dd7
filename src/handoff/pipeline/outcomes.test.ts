import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { outcomeStatus, parseCloseDate } from './outcomes.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

function multipart(filename: string, content: Buffer) {
  const boundary = '----leadflowtest';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const importCsv = (csv: Buffer, as: 'admin' | 'marketing' | 'viewer' = 'marketing') =>
  t.call({ method: 'POST', url: '/api/v1/opportunities/outcomes/import', ...multipart('sfa.csv', csv), as });

async function lead(email: string, stage = 'mql') {
  const p = (
    await t.call({ method: 'POST', url: '/api/v1/people', payload: { email, lastName: '鈴木' } })
  ).json() as { id: string };
  await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, payload: { stage } });
  return p;
}
const stageOf = async (id: string) =>
  (await t.call({ method: 'GET', url: `/api/v1/people/${id}` })).json().stage as string;

describe('parsing SFA values', () => {
  it('reads the spellings SFAs export for won and lost, and close dates', () => {
    expect(['Closed Won', '受注', 'won'].map(outcomeStatus)).toEqual(['won', 'won', 'won']);
    expect(['Closed Lost', '失注', 'LOST'].map(outcomeStatus)).toEqual(['lost', 'lost', 'lost']);
    expect(outcomeStatus('negotiation')).toBeUndefined();
    expect(parseCloseDate('2026/3/31')?.toISOString()).toBe('2026-03-30T15:00:00.000Z');
    expect(parseCloseDate('31/03/2026')).toBeUndefined();
  });
});

describe('outcome import', () => {
  it('a CSV closes deals by external id and by e-mail, moves people to Won/Lost, and reports unmatched rows by number', async () => {
    const a = await lead('cio@outcome-a.co.jp');
    const b = await lead('buyer@outcome-b.co.jp');
    const c = await lead('nodeal@outcome-c.co.jp');
    const oa = (
      await t.call({
        method: 'POST',
        url: '/api/v1/opportunities',
        payload: { personId: a.id, name: 'A社 導入', amount: 1_000_000, externalId: 'SF-A' },
      })
    ).json();
    const ob = (
      await t.call({
        method: 'POST',
        url: '/api/v1/opportunities',
        payload: { personId: b.id, name: 'B社 導入', amount: 2_000_000 },
      })
    ).json();
    const csv = [
      'externalId,email,status,amount,lossReason,closedAt',
      'SF-A,,Closed Won,"1,200,000",,2026-03-31',
      ',buyer@outcome-b.co.jp,Closed Lost,,競合,2026-03-30',
      'SF-C,NoDeal@outcome-c.co.jp,受注,500000,,',
      'SF-404,nobody@nowhere.example,won,,,',
      'SF-A,,maybe,,,',
    ].join('\r\n');
    const r = await importCsv(Buffer.from(csv));
    expect(r.statusCode).toBe(200);
    const res = r.json();
    expect(res).toMatchObject({ total: 5, updated: 2, created: 1, unchanged: 0 });
    expect(res.problems.map((p: { row: number }) => p.row)).toEqual([5, 6]);
    expect(res.problems[0]).toMatchObject({ externalId: 'SF-404', email: 'nobody@nowhere.example' });

    const wonA = (await t.call({ method: 'GET', url: `/api/v1/opportunities/${oa.id}` })).json();
    expect(wonA).toMatchObject({ status: 'won', amount: 1_200_000 });
    expect(new Date(wonA.closedAt).toISOString()).toBe('2026-03-30T15:00:00.000Z');
    expect((await t.call({ method: 'GET', url: `/api/v1/opportunities/${ob.id}` })).json()).toMatchObject({
      status: 'lost',
      lossReason: '競合',
    });
    expect(await stageOf(a.id)).toBe('won');
    expect(await stageOf(b.id)).toBe('lost');
    expect(await stageOf(c.id)).toBe('won');
    const cDeals = (await t.call({ method: 'GET', url: `/api/v1/opportunities?personId=${c.id}` })).json()
      .items;
    expect(cDeals).toHaveLength(1);
    expect(cDeals[0]).toMatchObject({ externalId: 'SF-C', status: 'won', amount: 500000, source: 'import' });
    // The funnel sees the import as the mover, at the SFA's close date.
    const tr = await t.db.query<{ actor_type: string; at: Date }>(
      `SELECT actor_type, at FROM stage_transitions WHERE person_id = $1 AND to_stage = 'won'`,
      [a.id],
    );
    expect(tr.rows[0].actor_type).toBe('import');
    expect(tr.rows[0].at.toISOString()).toBe('2026-03-30T15:00:00.000Z');

    // Importing the same file again changes nothing.
    const again = (await importCsv(Buffer.from(csv))).json();
    expect(again).toMatchObject({ updated: 0, created: 0, unchanged: 3 });
    const history = (await t.call({ method: 'GET', url: '/api/v1/opportunities/outcomes/imports' })).json()
      .items;
    expect(history[0]).toMatchObject({ source: 'csv', filename: 'sfa.csv', total: 5 });
  });

  it('reads a Shift_JIS file with Japanese headers', async () => {
    const p = await lead('kacho@sjis-outcome.co.jp');
    const csv = [
      'メールアドレス,結果,失注理由,金額',
      'kacho@sjis-outcome.co.jp,失注,予算なし（髙橋部長判断）,',
    ].join('\r\n');
    const r = await importCsv(iconv.encode(csv, 'cp932'));
    expect(r.json()).toMatchObject({ total: 1, created: 1, problems: [] });
    const deals = (await t.call({ method: 'GET', url: `/api/v1/opportunities?personId=${p.id}` })).json()
      .items;
    expect(deals[0]).toMatchObject({ status: 'lost', lossReason: '予算なし（髙橋部長判断）' });
    expect(await stageOf(p.id)).toBe('lost');
  });

  it('the API batch applies the same rules and refuses a lost row without a reason by row number', async () => {
    const p = await lead('api@outcome-api.co.jp');
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/opportunities/outcomes',
      payload: {
        items: [
          { email: 'api@outcome-api.co.jp', status: 'lost' },
          { email: 'api@outcome-api.co.jp', status: 'won', amount: 900000 },
        ],
      },
      as: 'sales',
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      total: 2,
      created: 1,
      problems: [{ row: 1, reason: 'a lost deal needs a loss reason' }],
    });
    expect(await stageOf(p.id)).toBe('won');
  });

  it('refuses a file without the needed columns, a non-multipart request, and viewers', async () => {
    const bad = await importCsv(Buffer.from('foo,bar\n1,2\n'));
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('file');
    const json = await t.call({
      method: 'POST',
      url: '/api/v1/opportunities/outcomes/import',
      payload: { a: 1 },
    });
    expect(json.statusCode).toBe(415);
    expect((await importCsv(Buffer.from('email,status\nx@y.jp,won\n'), 'viewer')).statusCode).toBe(403);
    const empty = await t.call({
      method: 'POST',
      url: '/api/v1/opportunities/outcomes',
      payload: { items: [] },
    });
    expect(empty.statusCode).toBe(400);
  });
});
