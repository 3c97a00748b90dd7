import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { startWorker, type Worker } from '../../platform/jobs/worker.ts';
import { jobHandlers } from '../../runtime.ts';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'leadflow.js');
const dir = mkdtempSync(join(tmpdir(), 'leadflow-import-'));
const data = join(dir, 'data');
const env = { ...process.env, DATABASE_URL: '', LEADFLOW_DATA_DIR: '', LOG_LEVEL: '' };

async function leadflow(...args: string[]) {
  try {
    const r = await run('node', [BIN, ...args], { env, timeout: 170_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const file = (name: string, content: Buffer | string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const CARDS = iconv.encode(
  '氏名,フリガナ,会社名,メールアドレス,電話番号\r\n髙橋 一郎,タカハシ イチロウ,株式会社①,ichiro@cli.example.jp,０３－１２３４－５６７８\r\n山田 花子,,株式会社①,not-mail,\r\n',
  'cp932',
);

let t: TestApp;
let worker: Worker;
let server: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  server = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  worker = startWorker({ ctx: t.ctx, handlers: jobHandlers(), pollMs: 100 });
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('leadflow import', () => {
  it('imports a Shift_JIS file into the embedded database and prints a JSON summary when piped; again creates nothing', async () => {
    const path = file('cards.csv', CARDS);
    const r = await leadflow('import', path, '--data-dir', data, '--campaign', '展示会 2026秋');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({
      encoding: 'shift_jis',
      counts: { rows: 2, created: 1, invalid: 1, campaignMembers: 1 },
      campaign: { name: '展示会 2026秋', created: true, status: 'attended' },
      issues: [{ row: 3, column: 'メールアドレス', level: 'error' }],
    });
    const again = JSON.parse(
      (await leadflow('import', path, '--data-dir', data, '--campaign', '展示会 2026秋')).stdout,
    );
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 1, campaignMembers: 0 });
  }, 400_000);

  it('fails with a one-line reason naming the bad value and a non-zero exit code', async () => {
    const missing = await leadflow('import', join(dir, 'nope.csv'), '--data-dir', data);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^leadflow: cannot read .*nope\.csv: no such file\n$/);
    const enc = await leadflow(
      'import',
      file('a.csv', 'email\n'),
      '--encoding',
      'latin1',
      '--data-dir',
      data,
    );
    expect(enc.code).not.toBe(0);
    expect(enc.stderr).toContain('"latin1"');
    const binary = await leadflow(
      'import',
      file('b.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0])),
      '--data-dir',
      data,
    );
    expect(binary.code).not.toBe(0);
    expect(binary.stderr.trim().split('\n')).toHaveLength(1);
    expect(binary.stderr).toContain('xlsx');
    const noEmail = await leadflow('import', file('c.csv', '氏名,会社名\n山田,ACME\n'), '--data-dir', data);
    expect(noEmail.code).not.toBe(0);
    expect(noEmail.stderr).toContain('no column is mapped to email');
    const mapping = await leadflow(
      'import',
      file('d.csv', 'mail\nx@y.jp\n'),
      '--mapping',
      'mail=e-mail',
      '--data-dir',
      data,
    );
    expect(mapping.code).not.toBe(0);
    expect(mapping.stderr).toContain('"e-mail"');
  }, 400_000);

  it('says so when a running server holds the data directory, and imports through its API with --server', async () => {
    writeFileSync(join(data, 'leadflow.lock'), JSON.stringify({ pid: process.pid, port: 3999 }));
    const held = await leadflow('import', file('e.csv', 'email\nheld@cli.example.jp\n'), '--data-dir', data);
    expect(held.code).not.toBe(0);
    expect(held.stderr).toContain('in use by a running server');
    expect(held.stderr).toContain('--server http://localhost:3999');
    rmSync(join(data, 'leadflow.lock'));

    const remote = await leadflow(
      'import',
      file('cards.csv', CARDS),
      '--server',
      server,
      '--api-key',
      t.keys.marketing,
    );
    expect(remote.stderr).toBe('');
    expect(JSON.parse(remote.stdout)).toMatchObject({
      encoding: 'shift_jis',
      counts: { created: 1, invalid: 1 },
    });
    expect(
      (await t.db.query(`SELECT last_name FROM people WHERE email = 'ichiro@cli.example.jp'`)).rows,
    ).toEqual([{ last_name: '髙橋' }]);
    const denied = await leadflow(
      'import',
      file('cards.csv', CARDS),
      '--server',
      server,
      '--api-key',
      t.keys.sales,
    );
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('403');
  }, 400_000);
});
