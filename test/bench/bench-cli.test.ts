import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'leadflow.js');

async function leadflow(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run('node', [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: '', ...env },
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('leadflow bench', () => {
  it('refuses a zero, negative or absurd scale with one line naming the value', async () => {
    for (const bad of ['0', '-1', '1000', 'lots']) {
      const r = await leadflow(['bench', '--scale', bad]);
      expect(r.code, bad).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`"${bad}"`);
    }
  }, 240_000);

  it('says clearly when DATABASE_URL cannot be reached, and names no password', async () => {
    const r = await leadflow(['bench', '--scale', '0.01'], {
      DATABASE_URL: 'postgres://bench:s3cret@127.0.0.1:1/nowhere',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot reach DATABASE_URL/);
    expect(r.stderr).not.toContain('s3cret');
  }, 120_000);

  it('refuses an unknown workload name', async () => {
    const r = await leadflow(['bench', '--only', 'nonsense']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown workload "nonsense"');
  }, 120_000);

  it('runs workloads on a tiny embedded data set and reports them as JSON with the exact result names', async () => {
    const r = await leadflow([
      'bench',
      '--scale',
      '0.002',
      '--json',
      '--only',
      'segment,funnel,rescore,track',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      results: { name: string; value: number; unit: string }[];
      scale: number;
      database: string;
      machine: { cpus: number };
    };
    expect(report.scale).toBe(0.002);
    expect(report.database).toMatch(/embedded/);
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.results.map((x) => x.name).sort()).toEqual([
      'funnel.query_ms',
      'rescore.people_per_s',
      'segment.eval_ms',
      'track.p99_ms',
      'track.requests_per_s',
    ]);
    for (const x of report.results) expect(x.value, x.name).toBeGreaterThan(0);
  }, 300_000);
});
