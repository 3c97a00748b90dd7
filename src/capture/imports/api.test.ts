import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A multipart/form-data body built by hand, as a browser or curl sends it. */
function multipart(fields: Record<string, string>, file?: { name: string; data: Buffer; type?: string }) {
  const boundary = `----leadflow${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`,
      ),
    );
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const CSV = iconv.encode(
  '姓,名,セイ,メイ,会社名,メールアドレス,電話番号\r\n髙木,一,タカギ,ハジメ,株式会社アップロード,takagi@upload.example.jp,０９０－１１１１－２２２２\r\n渡辺,二,,,株式会社アップロード,bad-address,\r\n',
  'cp932',
);

describe('imports API', () => {
  it('previews a Shift_JIS file: encoding, headers, suggested mapping, first rows and their issues', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/imports/preview',
      ...multipart({}, { name: 'cards.csv', data: CSV }),
    });
    expect(r.statusCode).toBe(200);
    const p = r.json();
    expect(p).toMatchObject({
      encoding: 'shift_jis',
      encodingLabel: 'Shift_JIS (CP932)',
      headers: ['姓', '名', 'セイ', 'メイ', '会社名', 'メールアドレス', '電話番号'],
      suggestedMapping: [
        'lastName',
        'firstName',
        'lastNameKana',
        'firstNameKana',
        'company',
        'email',
        'phone',
      ],
      hasEmailColumn: true,
    });
    expect(p.rows[0][0]).toBe('髙木');
    expect(p.issues).toEqual([expect.objectContaining({ row: 3, level: 'error' })]);
  });

  it('runs an upload as a durable job and reports progress, counts and row errors', async () => {
    const up = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      as: 'marketing',
      ...multipart(
        { campaign: '名刺交換会 2026', campaignStatus: 'registered' },
        { name: 'cards.csv', data: CSV },
      ),
    });
    expect(up.statusCode).toBe(202);
    const id = up.json().id;
    expect(up.headers.location).toBe(`/api/v1/imports/${id}`);
    expect(up.json()).toMatchObject({ status: 'pending', fileName: 'cards.csv', fileSize: CSV.length });
    await t.worker.drain();
    const r = await t.call({ method: 'GET', url: `/api/v1/imports/${id}`, as: 'sales' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'completed',
      progress: 1,
      encoding: 'shift_jis',
      counts: { rows: 2, created: 1, invalid: 1, campaignMembers: 1 },
      campaign: { name: '名刺交換会 2026' },
      issues: [
        {
          row: 3,
          level: 'error',
          column: 'メールアドレス',
          message: 'not a valid e-mail address: "bad-address"',
          value: 'bad-address',
        },
      ],
    });
    const people = await t.call({ method: 'GET', url: '/api/v1/people?q=takagi' });
    expect(people.json().items[0]).toMatchObject({
      lastName: '髙木',
      firstNameKana: 'ハジメ',
      phone: '090-1111-2222',
      channel: 'business_card',
    });
    const csv = await t.call({ method: 'GET', url: `/api/v1/imports/${id}/issues.csv` });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toBe(
      '\uFEFFrow,level,column,message,value\n3,error,メールアドレス,"not a valid e-mail address: ""bad-address""",bad-address\n',
    );
    const chunks = await t.db.query('SELECT 1 FROM import_chunks WHERE import_id = $1', [id]);
    expect(chunks.rows).toHaveLength(0);
    // The same file again: nothing new, and the history knows it was imported before.
    const again = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({}, { name: 'cards (1).csv', data: CSV }),
    });
    await t.worker.drain();
    const second = (await t.call({ method: 'GET', url: `/api/v1/imports/${again.json().id}` })).json();
    expect(second.counts).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(second.earlierImports).toEqual([expect.objectContaining({ id })]);
    const list = await t.call({ method: 'GET', url: '/api/v1/imports?limit=1' });
    expect(list.json().items[0].id).toBe(again.json().id);
    expect(list.json().nextCursor).not.toBeNull();
  });

  it('a job that crashed after committing some batches resumes after them and repeats nothing', async () => {
    const csv = Buffer.from(
      'email,company\nr1@resume.example.jp,Resume\nr2@resume.example.jp,Resume\nr3@resume.example.jp,Resume\n',
    );
    const up = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({}, { name: 'resume.csv', data: csv }),
    });
    const id = up.json().id;
    // As if a worker had merged the first row, committed its progress and died.
    await t.db.query(
      `UPDATE imports SET status = 'running', rows_processed = 1, counts = '{"rows":1,"created":1}' WHERE id = $1`,
      [id],
    );
    await t.worker.drain();
    const r = (await t.call({ method: 'GET', url: `/api/v1/imports/${id}` })).json();
    expect(r).toMatchObject({ status: 'completed', counts: { rows: 3, created: 3 } });
    const people = await t.db.query(
      `SELECT email FROM people WHERE email LIKE '%@resume.example.jp' ORDER BY email`,
    );
    expect(people.rows).toEqual([{ email: 'r2@resume.example.jp' }, { email: 'r3@resume.example.jp' }]);
  });

  it('a dry run through the API writes no person', async () => {
    const csv = Buffer.from('email\ndry-api@example.com\n');
    const up = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({ dryRun: 'true' }, { name: 'd.csv', data: csv }),
    });
    await t.worker.drain();
    const r = (await t.call({ method: 'GET', url: `/api/v1/imports/${up.json().id}` })).json();
    expect(r).toMatchObject({ status: 'completed', dryRun: true, counts: { created: 1 } });
    expect((await t.db.query(`SELECT 1 FROM people WHERE email = 'dry-api@example.com'`)).rows).toHaveLength(
      0,
    );
  });

  it('rejects bad uploads with problem+json naming the field, leaving nothing behind', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM imports')).rows[0].n;
    const binary = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart(
        {},
        { name: 'photo.csv', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]) },
      ),
    });
    expect(binary.statusCode).toBe(422);
    expect(binary.headers['content-type']).toContain('application/problem+json');
    expect(binary.json().errors[0]).toMatchObject({ path: 'file', message: expect.stringContaining('JPEG') });
    const noEmail = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({}, { name: 'x.csv', data: Buffer.from('氏名,会社名\n山田,ACME\n') }),
    });
    expect(noEmail.statusCode).toBe(422);
    expect(noEmail.json().errors[0].path).toBe('mapping');
    expect(noEmail.json().detail).toContain('"氏名", "会社名"');
    const badMapping = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({ mapping: '{"nope":"email"}' }, { name: 'x.csv', data: CSV }),
    });
    expect(badMapping.statusCode).toBe(422);
    expect(badMapping.json().errors[0].path).toBe('mapping.nope');
    const notJson = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({ mapping: 'email' }, { name: 'x.csv', data: CSV }),
    });
    expect(notJson.json().errors[0].path).toBe('mapping');
    const status = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({ campaignStatus: 'vip' }, { name: 'x.csv', data: CSV }),
    });
    expect(status.json().errors[0].path).toBe('campaignStatus');
    const noFile = await t.call({ method: 'POST', url: '/api/v1/imports', ...multipart({ dryRun: 'true' }) });
    expect(noFile.statusCode).toBe(422);
    expect(noFile.json().errors[0].path).toBe('file');
    const json = await t.call({ method: 'POST', url: '/api/v1/imports', payload: { file: 'x' } });
    expect(json.statusCode).toBe(415);
    expect((await t.db.query<{ n: number }>('SELECT count(*) AS n FROM imports')).rows[0].n).toBe(before);
  });

  it('checks permissions: sales may read imports but not start one; viewers see none', async () => {
    const up = await t.call({
      method: 'POST',
      url: '/api/v1/imports',
      as: 'sales',
      ...multipart({}, { name: 'x.csv', data: CSV }),
    });
    expect(up.statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: '/api/v1/imports', as: 'viewer' })).statusCode).toBe(403);
    expect(
      (await t.call({ method: 'GET', url: '/api/v1/imports/00000000-0000-4000-8000-000000000000' }))
        .statusCode,
    ).toBe(404);
  });
});
