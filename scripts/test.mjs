// Runs every test: type check, unit and integration tests on PGlite, the same suite on a
// PostgreSQL server, and the browser journeys in Chromium. Ends with one line
// "N passed, N failed, N skipped". On CI (CI=true) nothing may be skipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';

const CI = process.env.CI === 'true';
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const totals = { passed: 0, failed: 0, skipped: 0 };
const skippedSuites = [];
const failures = [];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

/** Runs a command with its output shown live and kept, so that a failure can be quoted at the end. */
function runTee(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['inherit', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    const keep = (stream) => (chunk) => {
      stream.write(chunk);
      out += chunk.toString();
      if (out.length > 8_000_000) out = out.slice(-4_000_000);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('close', (code) => resolve({ status: code ?? 1, out }));
  });
}

/**
 * What made vitest fail besides failed tests: unhandled errors and failed hooks print a block
 * headed "Unhandled …" or "Failed …" between rules of ⎯; the first lines of each are quoted.
 */
function failureBlocks(out) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
  const lines = out.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    if (/⎯{3,}\s*(Unhandled|Failed)/.test(lines[i])) {
      const block = lines.slice(i, i + 25).filter((l) => l.trim() !== '');
      blocks.push(block.join('\n'));
    }
  }
  return blocks.slice(0, 4);
}

async function vitest(label, config, env) {
  mkdirSync('test-results', { recursive: true });
  const out = `test-results/${label}.json`;
  rmSync(out, { force: true });
  const { status, out: printed } = await runTee(
    'npx',
    [
      'vitest',
      'run',
      '--config',
      config,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ],
    env,
  );
  const details = status !== 0 ? failureBlocks(printed) : [];
  if (!existsSync(out)) {
    totals.failed += 1;
    failures.push(`${label}: vitest did not report (exit ${status})`, ...details);
    return;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  // A file that failed to load has no tests but still failed.
  const brokenFiles = report.testResults.filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  );
  totals.failed += brokenFiles.length;
  for (const f of brokenFiles)
    failures.push(`${label}: ${f.name} failed to run: ${(f.message ?? '').split('\n')[0]}`);
  if (report.numFailedTests > 0) failures.push(`${label}: ${report.numFailedTests} failed`);
  // A file whose tests passed but whose hooks failed, or an error outside any test.
  const hookFailures = report.testResults.filter(
    (f) =>
      f.status === 'failed' &&
      f.assertionResults.length > 0 &&
      f.assertionResults.every((a) => a.status !== 'failed'),
  );
  for (const f of hookFailures)
    failures.push(`${label}: ${f.name}: ${(f.message ?? 'a hook failed').split('\n')[0]}`);
  if (status !== 0 && report.numFailedTests === 0 && brokenFiles.length === 0) {
    totals.failed += 1;
    failures.push(`${label}: vitest exited ${status}`, ...details);
  }
}

function reachable(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    socket.setTimeout(1500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

// 1. Types.
if (run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) === 0) totals.passed += 1;
else {
  totals.failed += 1;
  failures.push('typecheck failed');
}

// 2. Everything on the embedded database.
await vitest('pglite', 'vitest.config.ts', { TEST_DATABASE_URL: '' });

// 3. The same suite on a PostgreSQL server.
if (await reachable(PG_URL)) {
  await vitest('postgres', 'vitest.config.ts', { TEST_DATABASE_URL: PG_URL });
} else if (CI) {
  totals.failed += 1;
  failures.push(`PostgreSQL at ${PG_URL} is not reachable, and CI may not skip it`);
} else {
  skippedSuites.push(`PostgreSQL suite (no server at ${PG_URL}; start one or set TEST_DATABASE_URL)`);
}

// 4. Browser journeys in Chromium.
if (existsSync(CHROMIUM)) {
  if (run('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']) !== 0) {
    totals.failed += 1;
    failures.push('web build failed');
  } else {
    await vitest('browser', 'vitest.browser.config.ts', { TEST_DATABASE_URL: '', CHROMIUM_PATH: CHROMIUM });
  }
} else if (CI) {
  totals.failed += 1;
  failures.push(`Chromium not found at ${CHROMIUM}, and CI may not skip the browser tests`);
} else {
  skippedSuites.push(
    `browser suite (no Chromium at ${CHROMIUM}; install it with: apt-get install chromium fonts-ipafont-gothic)`,
  );
}

console.log('');
for (const s of skippedSuites) console.log(`skipped: ${s}`);
for (const f of failures) console.log(`failure: ${f}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
