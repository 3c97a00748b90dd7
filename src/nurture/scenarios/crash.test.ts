import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPglite } from '../../platform/db/client.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { systemActor } from '../../team/audit.ts';
import { enrolPeople } from './enrol.ts';
import { createScenario, setScenarioStatus } from './store.ts';
import { makeTemplate, startSmtp, type TestSmtp, waitFor } from './test-support.ts';

/*
 * Kill -9 mid-scenario: a real `leadflow worker` process over an embedded data directory is
 * killed while it sends a two-mail scenario to 15 people, then started again. Every person
 * must end with exactly the two steps and the two messages: none lost, none doubled.
 */

const PEOPLE = 15;
let dir: string;
let smtp: TestSmtp;
const children: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['bin/leadflow.js', 'worker'], {
    cwd: join(import.meta.dirname, '../../..'),
    env: { ...process.env, LEADFLOW_DATA_DIR: dir, SMTP_URL: smtp.url, LOG_LEVEL: 'error', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) =>
    c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
  );

// The child works on an embedded data directory, whatever TEST_DATABASE_URL says: vitest.config.ts runs it once, in the PGlite pass.
describe('a worker killed with SIGKILL mid-scenario', () => {
  beforeAll(async () => {
    smtp = await startSmtp();
    dir = mkdtempSync(join(tmpdir(), 'leadflow-crash-'));
    // The migrated template database, written into a data directory of its own.
    const db = await openPglite(dir, new Blob([readFileSync(inject('pgliteTemplate'))]));
    await migrate(db);
    const first = await makeTemplate(db, 'クラッシュ試験1', '一通目');
    const second = await makeTemplate(db, 'クラッシュ試験2', '二通目');
    await db.query(
      `INSERT INTO people (workspace_id, email, last_name, consent) SELECT 1, 'crash' || i || '@example.co.jp', '試験' || i, true FROM generate_series(1, $1) i`,
      [PEOPLE],
    );
    await db.transaction(async (tx) => {
      const actor = systemActor('test');
      const s = await createScenario(tx, actor, {
        name: 'crash',
        trigger: { type: 'manual' },
        steps: [
          { id: 'one', type: 'send_email', templateId: first, next: 'two' },
          { id: 'two', type: 'send_email', templateId: second, next: null },
        ],
        reentry: 'never',
        reentryDays: 0,
        timeZone: 'Asia/Tokyo',
      });
      const active = (await setScenarioStatus(tx, actor, s.id, 'active')).after;
      await enrolPeople(
        tx,
        1,
        active,
        { sql: 'SELECT id AS person_id FROM people WHERE workspace_id = $10', params: [1] },
        { source: 'manual', now: new Date() },
      );
    });
    await db.close();
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes after restart with no step lost and none doubled', async () => {
    const first = startWorker();
    await waitFor(() => smtp.messages.length >= 8, 240_000);
    first.kill('SIGKILL');
    await exited(first);
    const atKill = smtp.messages.length;
    expect(atKill).toBeLessThan(PEOPLE * 2);

    // What the dead worker had claimed becomes due when its lease (300 s) runs out; let it run out now.
    const db = await openPglite(dir);
    await db.query('UPDATE jobs SET locked_until = now() WHERE locked_until > now()');
    await db.close();

    const second = startWorker();
    const distinct = () =>
      new Set(smtp.messages.map((m) => `${m.to && 'text' in m.to ? m.to.text : ''}|${m.subject}`)).size;
    await waitFor(() => distinct() >= PEOPLE * 2, 300_000);
    await new Promise((r) => setTimeout(r, 1500));
    second.kill('SIGTERM');
    await exited(second);

    const check = await openPglite(dir);
    try {
      const perPerson = await check.query<{ runs: number; mails: number; status: string }>(
        `SELECT (SELECT count(*)::int FROM scenario_step_runs r WHERE r.enrolment_id = e.id) AS runs,
                (SELECT count(*)::int FROM mail_messages m WHERE m.person_id = e.person_id) AS mails, e.status
         FROM scenario_enrolments e`,
      );
      expect(perPerson.rows).toHaveLength(PEOPLE);
      expect(perPerson.rows.every((r) => r.runs === 2 && r.mails === 2 && r.status === 'completed')).toBe(
        true,
      );
      // A message is sent, or still queued with its delivery job pending (the one the SMTP server
      // took in the instant of the kill, before its status was written): nothing failed or dropped.
      const notSent = await check.query<{ status: string; pending: boolean }>(
        `SELECT m.status, EXISTS (SELECT 1 FROM jobs j WHERE j.key = 'mail:' || m.id AND j.status = 'pending') AS pending
         FROM mail_messages m WHERE m.status <> 'sent'`,
      );
      expect(notSent.rows.length).toBeLessThanOrEqual(1);
      expect(notSent.rows.every((r) => r.status === 'queued' && r.pending)).toBe(true);
    } finally {
      await check.close();
    }
    // Every person received both mails over SMTP.
    const received = new Map<string, Set<string>>();
    for (const m of smtp.messages) {
      const to = m.to && 'text' in m.to ? m.to.text : '';
      received.set(to, (received.get(to) ?? new Set()).add(m.subject ?? ''));
    }
    expect(received.size).toBe(PEOPLE);
    expect([...received.values()].every((s) => s.size === 2)).toBe(true);
    // SMTP itself is at-least-once: only a message the server accepted in the instant before the
    // kill, before its status was written, may be handed over a second time.
    expect(smtp.messages.length - PEOPLE * 2).toBeLessThanOrEqual(1);
  }, 700_000);
});
