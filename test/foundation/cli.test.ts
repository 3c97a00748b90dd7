import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'leadflow.js');
const dir = mkdtempSync(join(tmpdir(), 'leadflow-cli-'));
const env = { ...process.env, DATABASE_URL: '', LEADFLOW_DATA_DIR: '', LOG_LEVEL: '' };

async function leadflow(...args: string[]) {
  try {
    const r = await run('node', [BIN, ...args], { env, timeout: 180_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the leadflow command', () => {
  it('migrates, creates a user and prints only the API key on one line', async () => {
    const migrated = await leadflow('migrate', '--data-dir', dir);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain('migrations up to date');

    const user = await leadflow('users', 'create', '--email', 'cli@example.jp', '--password', 'long-enough', '--role', 'marketing', '--data-dir', dir);
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ email: 'cli@example.jp', role: 'marketing' });

    const key = await leadflow('api-keys', 'create', '--name', 'crm', '--role', 'sales', '--data-dir', dir);
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^lf_[A-Za-z0-9_-]{40,}\n$/);
  }, 300_000);

  it('refuses bad values with a one-line message naming them', async () => {
    const role = await leadflow('users', 'create', '--email', 'x@example.jp', '--password', 'long-enough', '--role', 'boss', '--data-dir', dir);
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain('boss');
    const dup = await leadflow('users', 'create', '--email', 'cli@example.jp', '--password', 'long-enough', '--role', 'sales', '--data-dir', dir);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr.trim().split('\n')).toHaveLength(1);
    expect(dup.stderr).toContain('cli@example.jp');
    const port = await leadflow('serve', '--port', 'eighty', '--data-dir', dir);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toContain('eighty');
    const badUrl = await run('node', [BIN, 'migrate'], { env: { ...env, DATABASE_URL: 'mysql://nope' } }).catch((e) => e);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toContain('DATABASE_URL');
  }, 300_000);

  it('stops instead of corrupting a data directory a running server holds', async () => {
    writeFileSync(join(dir, 'leadflow.lock'), JSON.stringify({ pid: process.pid, port: 3999 }));
    try {
      const r = await leadflow('users', 'create', '--email', 'y@example.jp', '--password', 'long-enough', '--role', 'sales', '--data-dir', dir);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('in use by a running server');
      expect(r.stderr).toContain('3999');
    } finally {
      rmSync(join(dir, 'leadflow.lock'), { force: true });
    }
  }, 300_000);

  it('prints help for every command', async () => {
    for (const cmd of ['serve', 'worker', 'migrate', 'seed-demo', 'import', 'bench']) {
      const r = await leadflow(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toContain('Usage: leadflow');
    }
    const sub = await leadflow('users', 'create', '--help');
    expect(sub.stdout).toContain('--role');
  }, 300_000);
});
