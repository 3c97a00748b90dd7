import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgres } from '../../src/platform/db/client.ts';
import { verifyWebhook } from '../../src/platform/webhook-signature.ts';

/*
 * Scale-out proof (issue 8): two `serve` processes (each with its in-process worker) and two
 * `worker` processes share one PostgreSQL database. Scenario mail and webhooks pushed through
 * them arrive exactly once, and no job is left behind. Runs in the PostgreSQL pass only.
 */

const BIN = join(process.cwd(), 'bin', 'leadflow.js');
const SECRET = 'scale-out-secret-0123456789abcdef0123456789';
const PEOPLE = 120;
const run = promisify(execFile);

let dbName: string;
let dbUrl: string;
const procs: ChildProcess[] = [];
const bases: string[] = [];
let smtp: SMTPServer;
let hooks: Server;
const mails: { to: string; messageId: string }[] = [];
const deliveries: { id: string; type: string; valid: boolean }[] = [];
let hookSecret = '';
let apiKey = '';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  const p = spawn('node', [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout?.resume();
  p.stderr?.resume();
  procs.push(p);
  return p;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as any;
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

describe('two serve and two worker processes on one PostgreSQL server', () => {
  beforeAll(async () => {
    const url = process.env.TEST_DATABASE_URL as string;
    dbName = `leadflow_scale_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = await openPostgres(url, 1);
    await admin.exec(`CREATE DATABASE "${dbName}" TEMPLATE "${inject('postgresTemplate')}"`);
    await admin.close();
    dbUrl = withDatabase(url, dbName);

    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        let raw = '';
        stream.on('data', (c: Buffer) => {
          raw += c.toString('utf8');
        });
        stream.on('end', () => {
          const id = /^message-id:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? '';
          for (const rcpt of session.envelope.rcptTo) mails.push({ to: rcpt.address, messageId: id });
          done();
        });
      },
    });
    // A client that drops its connection (a killed worker) is normal for an SMTP server, not a crash.
    smtp.on('error', () => undefined);
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        const event = JSON.parse(body) as { id: string; type: string };
        const valid = verifyWebhook(hookSecret, body, String(req.headers['leadflow-signature'] ?? ''), new Date());
        deliveries.push({ id: String(event.id), type: event.type, valid });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));

    const env = {
      DATABASE_URL: dbUrl,
      LEADFLOW_SECRET: SECRET,
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      WEBHOOKS_ALLOW_PRIVATE: '1',
      LOG_LEVEL: 'warn',
    };
    const key = await run('node', [BIN, 'api-keys', 'create', '--name', 'scale-out', '--role', 'admin'], { env: { ...process.env, ...env } });
    apiKey = key.stdout.trim();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      start(['serve', '--port', String(port), '--no-demo'], { ...env, LEADFLOW_PUBLIC_URL: `http://127.0.0.1:${port}` });
      bases.push(`http://127.0.0.1:${port}`);
    }
    start(['worker'], env);
    start(['worker'], env);
    for (const base of bases) await waitFor(`${base}/healthz`, async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
  }, 300_000);

  afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    smtp?.close();
    hooks?.close();
    const admin = await openPostgres(process.env.TEST_DATABASE_URL as string, 1);
    await admin.exec(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.close();
  }, 60_000);

  it('sends every scenario mail and every webhook exactly once, and leaves no job behind', async () => {
    const [a, b] = bases;
    const hook = await call(a, 'POST', '/api/v1/webhooks', { url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`, events: ['person.created'] });
    hookSecret = hook.secret;
    await call(b, 'PUT', '/api/v1/mail/settings', { senderName: 'Leadflow スケール試験', postalAddress: '東京都千代田区1-1', contact: 'scale@example.jp', ratePerSecond: 1000, requireConsent: true });
    const template = await call(a, 'POST', '/api/v1/email-templates', { name: 'scale', subject: '{{ person.lastName }} 様', html: '<p>{{ person.lastName }} 様、ご案内です。</p>' });
    const scenario = await call(b, 'POST', '/api/v1/scenarios', {
      name: 'スケール試験',
      trigger: { type: 'manual' },
      steps: [{ id: 'send', type: 'send_email', templateId: template.id, next: null }],
    });
    await call(a, 'POST', `/api/v1/scenarios/${scenario.id}/activate`, {});

    // People arrive through both API processes at once.
    await Promise.all(
      Array.from({ length: PEOPLE }, (_, i) =>
        call(bases[i % 2], 'POST', '/api/v1/people', { email: `scale${i}@scale-out.example`, lastName: `試験${i}`, consent: true }),
      ),
    );
    // Enrol them all, twice, through both processes: re-entry rules keep it to one pass each.
    await Promise.all([a, b].map((base) => call(base, 'POST', `/api/v1/scenarios/${scenario.id}/enrol`, { filter: { field: 'email', op: 'contains', value: '@scale-out.example' } })));

    await waitFor('all mail and webhooks', async () => (mails.length >= PEOPLE && new Set(deliveries.map((d) => d.id)).size >= PEOPLE ? true : undefined));
    // Let any duplicate that was going to happen happen.
    await new Promise((r) => setTimeout(r, 3000));

    const recipients = mails.map((m) => m.to);
    expect(recipients).toHaveLength(PEOPLE);
    expect(new Set(recipients).size).toBe(PEOPLE);
    expect(deliveries.filter((d) => d.type === 'person.created')).toHaveLength(PEOPLE);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(PEOPLE);
    expect(deliveries.every((d) => d.valid)).toBe(true);

    const db = await openPostgres(dbUrl, 1);
    try {
      const jobs = await db.query<{ queue: string; status: string; n: number }>(
        `SELECT queue, status, count(*)::int AS n FROM jobs
         WHERE status = 'failed' OR (status = 'pending' AND queue IN ('scenarios.step', 'scenarios.trigger', 'mail.send', 'webhooks.fanout', 'webhooks.deliver'))
         GROUP BY queue, status`,
      );
      expect(jobs.rows).toEqual([]);
      // Four processes claimed work.
      const workers = await db.query<{ n: number }>(`SELECT count(DISTINCT locked_by)::int AS n FROM jobs WHERE locked_by IS NOT NULL`);
      expect(workers.rows[0].n).toBeGreaterThanOrEqual(2);
    } finally {
      await db.close();
    }
  }, 300_000);
});
