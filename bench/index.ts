import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import type { AppContext } from '../src/platform/http/context.ts';
import { startWorker } from '../src/platform/jobs/worker.ts';
import { createLog, silentLog } from '../src/platform/log.ts';
import { jobHandlers, periodicTasks } from '../src/runtime.ts';
import { createApiKey } from '../src/team/api-keys.ts';
import { generate, sizes } from './generate.ts';
import { type Result, round } from './measure.ts';
import { BenchError, openBenchTarget } from './target.ts';
import { quiesce, WORKLOADS, type BenchEnv } from './workloads.ts';

export interface BenchOptions {
  scale: number;
  json?: boolean;
  only?: string;
  keep?: boolean;
}

export { BenchError };

/**
 * `leadflow bench`: generates the deterministic synthetic workload in a database of its own,
 * starts the app and a worker in this process on a loopback port, runs every workload
 * (median of several runs after a warm-up) and prints a table or JSON.
 */
export async function runBench(opts: BenchOptions): Promise<void> {
  const only = opts.only ? new Set(opts.only.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
  if (only) {
    const known = new Set(WORKLOADS.flatMap((w) => w.produces));
    for (const name of only) if (!known.has(name) && !WORKLOADS.some((w) => w.id === name)) throw new BenchError(`unknown workload "${name}" (known: ${[...known].join(', ')})`);
  }
  const say = (msg: string) => {
    if (!opts.json) process.stderr.write(`[bench] ${msg}\n`);
  };
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const target = await openBenchTarget(databaseUrl, { keep: opts.keep });
  const started = Date.now();
  // The code measured is the code loaded now, whatever is committed while the bench runs.
  const measuredCommit = commit();
  try {
    const n = sizes(opts.scale);
    say(`${target.database}: generating scale ${opts.scale} (${n.people.toLocaleString('en')} people, ${n.accounts.toLocaleString('en')} accounts, ${n.activities.toLocaleString('en')} activities)`);
    const t0 = Date.now();
    await generate(target.db, opts.scale, (m) => say(`  ${m}`));
    say(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const config = loadConfig({ ...process.env, LEADFLOW_PUBLIC_URL: 'http://127.0.0.1', SMTP_URL: '' });
    const ctx: AppContext = { db: target.db, clock: systemClock, log: process.env.LOG_LEVEL ? createLog() : silentLog, config, secret: 'bench-secret-0123456789abcdef0123456789ab' };
    const app = await buildApp(ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    ctx.config.publicUrl = base;
    // As `leadflow worker` ×4 would on a server; one on the embedded database (a single connection).
    const workerCount = target.db.kind === 'postgres' ? 4 : 1;
    const workers = Array.from({ length: workerCount }, (_, i) =>
      startWorker({ ctx, handlers: jobHandlers(), periodic: i === 0 ? periodicTasks() : [], pollMs: 20, batchSize: 20 }),
    );
    say(`${workerCount} worker${workerCount > 1 ? 's' : ''} running`);
    const apiKey = (await createApiKey(target.db, 1, { name: 'bench', role: 'admin' })).key;
    const env: BenchEnv = { ctx, db: target.db, base, apiKey, scale: opts.scale, sizes: n, say, dbUrl: target.url };
    const results: Result[] = [];
    try {
      for (const w of WORKLOADS) {
        if (only && !only.has(w.id) && !w.produces.some((p) => only.has(p))) continue;
        say(`${w.id}…`);
        const t = Date.now();
        const out = await w.run(env);
        results.push(...out);
        say(`${w.id} done in ${((Date.now() - t) / 1000).toFixed(1)} s: ${out.map((r) => `${r.name}=${round(r.value)} ${r.unit}`).join(', ')}`);
        const q0 = Date.now();
        await quiesce(target.db);
        if (Date.now() - q0 > 1000) say(`  background work after ${w.id} finished in ${((Date.now() - q0) / 1000).toFixed(1)} s (untimed)`);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await app.close();
    }
    const report = {
      results: results.map((r) => ({ name: r.name, value: round(r.value), unit: r.unit, ...(r.note ? { note: r.note } : {}) })),
      scale: opts.scale,
      database: target.database,
      machine: machine(),
      commit: measuredCommit,
      date: new Date().toISOString(),
      workers: workerCount,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printTable(report);
  } finally {
    await target.drop();
    if (opts.keep) process.stderr.write(`[bench] kept ${target.url ?? 'the data directory'}\n`);
  }
}

function machine() {
  const c = cpus();
  return { cpus: c.length, cpu: c[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` };
}

function commit(): string | undefined {
  try {
    const git = (args: string) => execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    // Uncommitted changes to the code are part of what is measured: say so.
    const dirty = git('status --porcelain -- src bench package.json') !== '';
    return `${git('rev-parse --short HEAD')}${dirty ? '+changes' : ''}`;
  } catch {
    return undefined;
  }
}

function printTable(report: { results: Result[]; scale: number; database: string; machine: ReturnType<typeof machine>; commit?: string; durationSeconds: number }) {
  const rows = report.results.map((r) => [r.name, String(r.value), r.unit, r.note ?? '']);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['result', 'value', 'unit'][i].length));
  const line = (cols: string[]) => `${cols[0].padEnd(widths[0])}  ${cols[1].padStart(widths[1])}  ${cols[2].padEnd(widths[2])}  ${cols[3]}`.trimEnd();
  const out = [
    `Leadflow bench — scale ${report.scale}, ${report.database}, ${report.machine.cpus} × ${report.machine.cpu}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}${report.commit ? `, commit ${report.commit}` : ''}`,
    '',
    line(['result', 'value', 'unit', 'how']),
    line([widths[0], widths[1], widths[2]].map((w) => '-'.repeat(w)).concat('---')),
    ...rows.map(line),
    '',
    `total ${report.durationSeconds} s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
