import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { AppError } from '../../platform/errors.ts';
import { importCsv } from './engine.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const sjis = (text: string) => iconv.encode(text, 'cp932');
const chunksOf = (buf: Buffer, size = 7) => {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
};
const person = async (email: string) => {
  const r = await t.db.query<Record<string, unknown>>('SELECT * FROM people WHERE email = $1', [email]);
  return r.rows[0];
};
const count = async (sql: string, params: unknown[] = []) =>
  (await t.db.query<{ n: number }>(sql, params)).rows[0].n;

const CARDS = [
  '氏名,フリガナ,会社名,部署,役職,メールアドレス,電話番号,業種,従業員数,都道府県,名刺交換日',
  '髙橋 一郎,タカハシ イチロウ,株式会社髙島屋①,営業部,部長,ｔａｋａｈａｓｈｉ＠ｔａｋａｓｈｉｍａｙａ．ｃｏ．ｊｐ,０３－１２３４－５６７８,小売,"1,200名",東京,2026/10/15',
  '佐藤 花子,さとう はなこ,㈱サンプル,情報システム部,課長,hanako@sample.co.jp,06-1111-2222,製造,３００人,大阪府,2026-10-15',
  '鈴木次郎,,フリー,,,,03-0000-0000,,,,',
  'Taro Yamada,,Example Inc.,Sales,Manager,not-an-email,,,,,',
  "=cmd|' /C calc'!A0,,悪意 株式会社,,,evil@attacker.example.com,,,,,",
].join('\r\n');

describe('CSV import engine', () => {
  it('reads a Shift_JIS (CP932) business-card list: 髙 and ① survive, 氏名 and フリガナ split, full-width normalised', async () => {
    const file = sjis(CARDS);
    const s = await importCsv(t.ctx, chunksOf(file), { fileName: 'cards.csv', fileSize: file.length });
    expect(s.encoding).toBe('shift_jis');
    expect(s.mapping).toEqual([
      'fullName',
      'fullNameKana',
      'company',
      'department',
      'title',
      'email',
      'phone',
      'industry',
      'employeeCount',
      'prefecture',
      'occurredAt',
    ]);
    expect(s.counts).toMatchObject({ rows: 5, created: 3, invalid: 2 });
    const p = await person('takahashi@takashimaya.co.jp');
    expect(p).toMatchObject({
      last_name: '髙橋',
      first_name: '一郎',
      last_name_kana: 'タカハシ',
      first_name_kana: 'イチロウ',
      company: '株式会社髙島屋①',
      phone: '03-1234-5678',
      employee_count: 1200,
      prefecture: '東京都',
      stage: 'inquiry',
      channel: 'business_card',
      source: 'csv_import',
    });
    // The business-card exchange date is when the lead entered the funnel.
    expect((p.created_at as Date).toISOString()).toBe('2026-10-14T15:00:00.000Z');
    const hanako = await person('hanako@sample.co.jp');
    expect(hanako).toMatchObject({
      last_name_kana: 'サトウ',
      first_name_kana: 'ハナコ',
      employee_count: 300,
    });
    // Invalid rows are reported with their row number (the header is row 1) and the reason.
    expect(s.issues.filter((i) => i.level === 'error')).toEqual([
      expect.objectContaining({ row: 4, column: 'メールアドレス', message: 'no e-mail address' }),
      expect.objectContaining({
        row: 5,
        message: expect.stringContaining('not a valid e-mail address: "not-an-email"'),
      }),
    ]);
    // A formula is kept as text, never evaluated or stripped.
    expect(await person('evil@attacker.example.com')).toMatchObject({
      last_name: "=cmd|'",
      first_name: "/C calc'!A0",
    });
    const tr = await t.db.query('SELECT to_stage, actor_type FROM stage_transitions WHERE person_id = $1', [
      p.id,
    ]);
    expect(tr.rows).toEqual([{ to_stage: 'inquiry', actor_type: 'import' }]);
    const acts = await t.db.query<{ type: string }>('SELECT type FROM activities WHERE person_id = $1', [
      p.id,
    ]);
    expect(acts.rows.map((a) => a.type)).toEqual(['import']);
    const account = await t.db.query<{ name: string; domain: string }>(
      'SELECT name, domain FROM accounts WHERE id = $1',
      [p.account_id],
    );
    expect(account.rows[0]).toEqual({ name: '株式会社髙島屋①', domain: 'takashimaya.co.jp' });
    const events = await count(
      `SELECT count(*) AS n FROM events WHERE type = 'person.created' AND person_id = $1`,
      [p.id],
    );
    expect(events).toBe(1);
  });

  it('re-importing the same file creates nothing new', async () => {
    const file = sjis(CARDS);
    const before = await count('SELECT count(*) AS n FROM activities');
    const people = await count('SELECT count(*) AS n FROM people');
    const s = await importCsv(t.ctx, [file], { fileName: 'cards.csv' });
    expect(s.counts).toMatchObject({ rows: 5, created: 0, updated: 0, unchanged: 3, invalid: 2 });
    expect(await count('SELECT count(*) AS n FROM activities')).toBe(before);
    expect(await count('SELECT count(*) AS n FROM people')).toBe(people);
  });

  it('reads UTF-8 with a BOM and English headers, merges by e-mail without blanking, newer values win, audited', async () => {
    const csv =
      '\uFEFFEmail,First Name,Last Name,Company,Job Title,Phone\r\nHANAKO@sample.co.jp,,Sato,,CIO,\r\nnew@example.org,Ken,Ito,Example,,\r\n';
    const s = await importCsv(t.ctx, [Buffer.from(csv, 'utf8')], { fileName: 'en.csv' });
    expect(s.encoding).toBe('utf-8-bom');
    expect(s.headers[0]).toBe('Email');
    expect(s.counts).toMatchObject({ created: 1, updated: 1 });
    const hanako = await person('hanako@sample.co.jp');
    expect(hanako).toMatchObject({
      first_name: '花子',
      last_name: 'Sato',
      title: 'CIO',
      department: '情報システム部',
      phone: '06-1111-2222',
    });
    const audit = await t.db.query<{ changes: Record<string, unknown> }>(
      `SELECT changes FROM audit_log WHERE entity_id = $1 AND action = 'person.updated'`,
      [hanako.id],
    );
    expect(audit.rows[0].changes).toEqual({ lastName: ['佐藤', 'Sato'], title: ['課長', 'CIO'] });
  });

  it('merges duplicates within one file into one person', async () => {
    const csv =
      'email,company,title\na@dup.example.com,Dup,\nA@DUP.example.com,,CTO\nb@dup.example.com,Dup,\n';
    const s = await importCsv(t.ctx, [Buffer.from(csv)], { batchSize: 1 });
    expect(s.counts).toMatchObject({ rows: 3, created: 2, duplicates: 1 });
    expect(await person('a@dup.example.com')).toMatchObject({ company: 'Dup', title: 'CTO' });
  });

  it('commits each round with the progress and counts of its own rows only, while the next round is read', async () => {
    const emails = [1, 2, 3, 4, 5].map((i) => `round${i}@rounds.example.jp`);
    const csv = `email\n${emails.join('\n')}\nnot-an-email\n`;
    const reported: { rows: number; created: number; invalid: number }[] = [];
    const s = await importCsv(t.ctx, [Buffer.from(csv)], {
      batchSize: 2,
      onProgress: (p) =>
        reported.push({ rows: p.rows, created: p.counts.created, invalid: p.counts.invalid }),
    });
    expect(reported).toEqual([
      { rows: 2, created: 2, invalid: 0 },
      { rows: 4, created: 4, invalid: 0 },
      { rows: 6, created: 5, invalid: 1 },
    ]);
    expect(s.counts).toMatchObject({ rows: 6, created: 5, invalid: 1 });
    const stored = await t.db.query<{ rows_processed: number; counts: { rows: number; created: number } }>(
      'SELECT rows_processed, counts FROM imports WHERE id = $1',
      [s.importId],
    );
    expect(stored.rows[0]).toMatchObject({ rows_processed: 6, counts: { rows: 6, created: 5 } });
  });

  it('adds everyone to a campaign by name, creating it, with an attended activity; idempotent', async () => {
    const csv = 'メール,姓,名\nc1@corp.example.jp,中村,一\nc2@gmail.com,小林,二\n';
    const s = await importCsv(t.ctx, [Buffer.from(csv)], { campaign: '展示会 2026秋' });
    expect(s.campaign).toMatchObject({ name: '展示会 2026秋', created: true, status: 'attended' });
    expect(s.counts.campaignMembers).toBe(2);
    const c = await t.db.query<{ id: string; channel: string }>(
      `SELECT id, channel FROM campaigns WHERE name = '展示会 2026秋'`,
    );
    expect(c.rows[0].channel).toBe('tradeshow');
    const members = await t.db.query(`SELECT status FROM campaign_members WHERE campaign_id = $1`, [
      c.rows[0].id,
    ]);
    expect(members.rows).toEqual([{ status: 'attended' }, { status: 'attended' }]);
    const p = await person('c1@corp.example.jp');
    expect(p).toMatchObject({ source: '展示会 2026秋', channel: 'tradeshow' });
    const acts = await t.db.query<{ type: string; campaign_id: string }>(
      'SELECT type, campaign_id FROM activities WHERE person_id = $1 ORDER BY type',
      [p.id],
    );
    expect(acts.rows).toEqual([
      { type: 'event_attended', campaign_id: c.rows[0].id },
      { type: 'import', campaign_id: c.rows[0].id },
    ]);
    // Free-mail addresses never make an account.
    expect((await person('c2@gmail.com')).account_id).toBeNull();
    const again = await importCsv(t.ctx, [Buffer.from(csv)], { campaign: c.rows[0].id });
    expect(again.counts.campaignMembers).toBe(0);
    expect(await count('SELECT count(*) AS n FROM activities WHERE person_id = $1', [p.id])).toBe(2);
  });

  it('a dry run reports what would happen and writes no person', async () => {
    const csv = 'email,name\ndry1@example.net,Dry One\nhanako@sample.co.jp,佐藤 花子\nbad\n';
    const people = await count('SELECT count(*) AS n FROM people');
    const s = await importCsv(t.ctx, [Buffer.from(csv)], { dryRun: true, campaign: 'まだない展示会' });
    expect(s.counts).toMatchObject({ rows: 3, created: 1, invalid: 1 });
    expect(s.campaign).toMatchObject({ id: null, created: true });
    expect(await count('SELECT count(*) AS n FROM people')).toBe(people);
    expect(await count(`SELECT count(*) AS n FROM campaigns WHERE name = 'まだない展示会'`)).toBe(0);
  });

  it('rejects a binary file and a file without an e-mail column before writing anything', async () => {
    const people = await count('SELECT count(*) AS n FROM people');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expect(importCsv(t.ctx, [png])).rejects.toThrow(/PNG image/);
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
    await expect(importCsv(t.ctx, [xlsx])).rejects.toThrow(/xlsx/);
    await expect(importCsv(t.ctx, [Buffer.from([1, 2, 3, 0, 5, 6, 7, 0, 1, 2, 3])])).rejects.toThrow(
      /binary/,
    );
    const err = await importCsv(t.ctx, [Buffer.from('氏名,会社名\n山田 太郎,ACME\n')]).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(422);
    expect(err.errors[0].path).toBe('mapping');
    expect(err.message).toContain('no column is mapped to email');
    await expect(importCsv(t.ctx, [Buffer.from('')])).rejects.toThrow(/empty/);
    expect(await count('SELECT count(*) AS n FROM people')).toBe(people);
    const failed = await count(`SELECT count(*) AS n FROM imports WHERE status = 'failed'`);
    expect(failed).toBe(5);
  });

  it('contains ragged rows and a 10 MB cell, keeping every valid row', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const csv = `email,company,title\nr1@ragged.example.com\nr2@ragged.example.com,A,B,C\nr3@ragged.example.com,"${big}",T\nr4@ragged.example.com,"改行
入り",T\n`;
    const s = await importCsv(t.ctx, [Buffer.from(csv)]);
    expect(s.counts).toMatchObject({ rows: 4, created: 2, invalid: 2 });
    expect(s.issues.map((i) => [i.row, i.column])).toEqual([
      [3, ''],
      [4, 'company'],
    ]);
    expect(s.issues[1].message).toContain('10,485,760 characters');
    expect(await person('r4@ragged.example.com')).toMatchObject({ company: '改行 入り' });
  });

  it('applies an explicit mapping, including custom fields and skipped columns', async () => {
    const csv = '連絡先,会社,ブース番号,メモ\nmap@example.co.jp,マップ株式会社,A-12,secret\n';
    const s = await importCsv(t.ctx, [Buffer.from(csv)], {
      mapping: { 連絡先: 'email', 3: 'custom:booth', メモ: 'skip' },
    });
    expect(s.mapping).toEqual(['email', 'company', 'custom:booth', 'skip']);
    expect(await person('map@example.co.jp')).toMatchObject({
      company: 'マップ株式会社',
      custom_fields: { booth: 'A-12' },
    });
    await expect(importCsv(t.ctx, [Buffer.from(csv)], { mapping: { 連絡先: 'mail' } })).rejects.toThrow(
      /unknown field "mail"/,
    );
    await expect(importCsv(t.ctx, [Buffer.from(csv)], { mapping: { nope: 'email' } })).rejects.toThrow(
      /no column "nope"/,
    );
  });
});
