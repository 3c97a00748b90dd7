import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { emitEvent } from '../../platform/events.ts';
import { startWorker } from '../../platform/jobs/worker.ts';
import { closeMailTransports } from '../../platform/mail.ts';
import { jobHandlers } from '../../runtime.ts';
import { executeStep } from './engine.ts';
import { makeDue, makeTemplate, startSmtp, type TestSmtp, waitFor } from './test-support.ts';

let t: TestApp;
let smtp: TestSmtp;
let welcome: string;
let followUp: string;
let reminder: string;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ SMTP_URL: smtp.url });
  welcome = await makeTemplate(t.db, 'ようこそ', '資料請求ありがとうございます');
  followUp = await makeTemplate(t.db, 'フォローアップ', '導入事例のご紹介');
  reminder = await makeTemplate(t.db, 'リマインド', '資料はご覧いただけましたか');
});

afterAll(async () => {
  await t.close();
  closeMailTransports();
  await smtp.close();
});

let seq = 0;
async function person(extra: Record<string, unknown> = {}): Promise<string> {
  seq += 1;
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/people',
    payload: {
      email: `lead${seq}-${Date.now()}@example.co.jp`,
      lastName: `山田${seq}`,
      firstName: '太郎',
      consent: true,
      ...extra,
    },
  });
  expect(r.statusCode).toBeLessThan(300);
  return r.json().id;
}

async function scenario(doc: Record<string, unknown>, activate = true): Promise<string> {
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/scenarios',
    payload: { name: `s${Date.now()}${Math.random()}`, ...doc },
  });
  expect(r.statusCode, r.body).toBe(201);
  if (activate)
    expect(
      (await t.call({ method: 'POST', url: `/api/v1/scenarios/${r.json().id}/activate` })).statusCode,
    ).toBe(200);
  return r.json().id;
}

const welcomeFlow = () => ({
  trigger: { type: 'manual' },
  steps: [
    { id: 'welcome', type: 'send_email', templateId: welcome, next: 'wait' },
    { id: 'wait', type: 'wait', duration: { amount: 3, unit: 'days' }, next: 'opened' },
    {
      id: 'opened',
      type: 'branch',
      condition: { kind: 'opened', withinHours: 72 },
      yes: 'case',
      no: 'remind',
    },
    { id: 'case', type: 'send_email', templateId: followUp, next: null },
    { id: 'remind', type: 'send_email', templateId: reminder, next: null },
  ],
});

async function delivered(to: string): Promise<string[]> {
  return smtp.messages.filter((m) => m.to && JSON.stringify(m.to).includes(to)).map((m) => m.subject ?? '');
}

async function emailOf(id: string): Promise<string> {
  return (await t.db.query<{ email: string }>('SELECT email FROM people WHERE id = $1', [id])).rows[0].email;
}

async function drainAll(): Promise<void> {
  await t.worker.drain();
}

describe('a welcome series: send, wait, branch on opened', () => {
  it('sends at once, waits three days, then follows up by whether the mail was opened', async () => {
    const id = await scenario(welcomeFlow());
    const opener = await person();
    const ignorer = await person();
    const r = await t.call({
      method: 'POST',
      url: `/api/v1/scenarios/${id}/enrol`,
      payload: { personIds: [opener, ignorer] },
    });
    expect(r.json()).toEqual({ enrolled: 2 });
    await drainAll();
    await waitFor(() => smtp.messages.length >= 2);
    expect(await delivered(await emailOf(opener))).toEqual(['資料請求ありがとうございます']);
    expect(await delivered(await emailOf(ignorer))).toEqual(['資料請求ありがとうございます']);

    // Both wait three days from now (the step job's run_at).
    const waiting = await t.db.query<{ next_run_at: Date; current_step: string }>(
      `SELECT next_run_at, current_step FROM scenario_enrolments WHERE scenario_id = $1`,
      [id],
    );
    for (const w of waiting.rows) {
      expect(w.current_step).toBe('wait');
      expect(w.next_run_at.getTime() - Date.now()).toBeGreaterThan(3 * 86_400_000 - 60_000);
    }
    const stats = (await t.call({ method: 'GET', url: `/api/v1/scenarios/${id}` })).json().stats;
    expect(stats.steps.find((s: { stepId: string }) => s.stepId === 'wait').current).toBe(2);
    expect(stats.steps.find((s: { stepId: string }) => s.stepId === 'welcome').outcomes).toEqual({ sent: 2 });

    // Nothing happens before the wait is over.
    await drainAll();
    expect(
      smtp.messages.filter((m) => [opener, ignorer].length && m.subject !== '資料請求ありがとうございます'),
    ).toHaveLength(0);

    const sent = await t.db.query<{ id: string }>(`SELECT id FROM mail_messages WHERE person_id = $1`, [
      opener,
    ]);
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, type, properties) VALUES (1, $1, 'email_open', $2)`,
      [opener, JSON.stringify({ messageId: sent.rows[0].id })],
    );
    await makeDue(t.db);
    await drainAll();
    await waitFor(() => smtp.messages.length >= 4);
    expect(await delivered(await emailOf(opener))).toEqual([
      '資料請求ありがとうございます',
      '導入事例のご紹介',
    ]);
    expect(await delivered(await emailOf(ignorer))).toEqual([
      '資料請求ありがとうございます',
      '資料はご覧いただけましたか',
    ]);

    const history = (
      await t.call({ method: 'GET', url: `/api/v1/people/${opener}/scenarios`, as: 'sales' })
    ).json().items;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ scenarioId: id, status: 'completed', occurrence: 1 });
    expect(
      history[0].steps.map((s: { stepId: string; outcome: string }) => `${s.stepId}:${s.outcome}`),
    ).toEqual(['welcome:sent', 'wait:waited', 'opened:yes', 'case:sent']);
    const after = (await t.call({ method: 'GET', url: `/api/v1/scenarios/${id}/stats` })).json();
    expect(after.totals).toMatchObject({ completed: 2, active: 0 });
    expect(after.steps.find((s: { stepId: string }) => s.stepId === 'opened').outcomes).toEqual({
      yes: 1,
      no: 1,
    });
  });
});

describe('exactly once', () => {
  it('a step job that runs twice (or late, after its lease) sends nothing twice', async () => {
    const id = await scenario({
      trigger: { type: 'manual' },
      steps: [{ id: 'only', type: 'send_email', templateId: welcome, next: null }],
    });
    const p = await person();
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/enrol`, payload: { personIds: [p] } });
    const e = await t.db.query<{ id: number }>('SELECT id FROM scenario_enrolments WHERE scenario_id = $1', [
      id,
    ]);
    await executeStep(t.ctx, e.rows[0].id, 1);
    await executeStep(t.ctx, e.rows[0].id, 1);
    // The original job, and a stray copy of it, run as well.
    await t.db.query(`INSERT INTO jobs (queue, payload) VALUES ('scenarios.step', $1)`, [
      JSON.stringify({ enrolmentId: e.rows[0].id, seq: 1 }),
    ]);
    await drainAll();
    const mails = await t.db.query('SELECT 1 FROM mail_messages WHERE person_id = $1', [p]);
    expect(mails.rows).toHaveLength(1);
    const runs = await t.db.query('SELECT 1 FROM scenario_step_runs WHERE enrolment_id = $1', [e.rows[0].id]);
    expect(runs.rows).toHaveLength(1);
  });

  it('two workers draining the same queue at once deliver each mail exactly once', async () => {
    const before = smtp.messages.length;
    const id = await scenario({
      trigger: { type: 'manual' },
      steps: [
        { id: 'a', type: 'send_email', templateId: welcome, next: 'b' },
        { id: 'b', type: 'send_email', templateId: followUp, next: null },
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await person());
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/enrol`, payload: { personIds: ids } });
    const handlers = jobHandlers();
    const w1 = startWorker({ ctx: t.ctx, handlers, batchSize: 3, batchClaim: 3 }, false);
    const w2 = startWorker({ ctx: t.ctx, handlers, batchSize: 3, batchClaim: 3 }, false);
    await Promise.all([w1.drain(), w2.drain(), w1.drain(), w2.drain()]);
    await Promise.all([w1.drain(), w2.drain()]);
    await waitFor(() => smtp.messages.length >= before + 12);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.length - before).toBe(12);
    const perPerson = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM mail_messages WHERE person_id = ANY($1::uuid[]) GROUP BY person_id`,
      [ids],
    );
    expect(perPerson.rows.map((r) => r.n)).toEqual(Array(6).fill(2));
    await w1.stop();
    await w2.stop();
  });
});

describe('steps taken in batches', () => {
  it('one worker claim of many step jobs: each person gets their mail once, the unmailable are skipped with a reason, a stray copy of a job does nothing', async () => {
    const before = smtp.messages.length;
    const id = await scenario({
      trigger: { type: 'manual' },
      steps: [
        { id: 'hello', type: 'send_email', templateId: welcome, next: 'wait' },
        { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' }, next: 'again' },
        { id: 'again', type: 'send_email', templateId: followUp, next: null },
      ],
    });
    const ok: string[] = [];
    for (let i = 0; i < 40; i++) ok.push(await person());
    const noConsent = await person({ consent: false });
    await t.call({
      method: 'POST',
      url: `/api/v1/scenarios/${id}/enrol`,
      payload: { personIds: [...ok, noConsent] },
    });
    const first = await t.db.query<{ id: number }>(
      'SELECT id FROM scenario_enrolments WHERE scenario_id = $1 ORDER BY id LIMIT 1',
      [id],
    );
    // A stray copy of one step job lands in the same claim as the original.
    await t.db.query(`INSERT INTO jobs (queue, payload) VALUES ('scenarios.step', $1)`, [
      JSON.stringify({ enrolmentId: first.rows[0].id, seq: 1 }),
    ]);
    const w = startWorker({ ctx: t.ctx, handlers: jobHandlers(), batchSize: 100 }, false);
    await w.drain();
    const runs = await t.db.query<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM scenario_step_runs WHERE scenario_id = $1 AND step_id = 'hello' GROUP BY outcome ORDER BY outcome`,
      [id],
    );
    expect(runs.rows).toEqual([
      { outcome: 'sent', n: 40 },
      { outcome: 'skipped', n: 1 },
    ]);
    const skipped = await t.db.query<{ detail: { reason: string } }>(
      `SELECT detail FROM scenario_step_runs WHERE scenario_id = $1 AND person_id = $2`,
      [id, noConsent],
    );
    expect(skipped.rows[0].detail.reason).toBe('no_consent');
    await waitFor(() => smtp.messages.length >= before + 40);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages.length - before).toBe(40);
    const perPerson = await t.db.query<{ n: number; acts: number }>(
      `SELECT count(*)::int AS n,
              (SELECT count(*)::int FROM activities a WHERE a.person_id = m.person_id AND a.type = 'email_sent') AS acts
       FROM mail_messages m WHERE m.person_id = ANY($1::uuid[]) GROUP BY m.person_id`,
      [ok],
    );
    expect(perPerson.rows).toHaveLength(40);
    expect(perPerson.rows.every((r) => r.n === 1 && r.acts === 1)).toBe(true);
    // Everyone waits for the next step, due in a day: one job each.
    const waiting = await t.db.query<{ n: number; jobs: number }>(
      `SELECT count(*)::int AS n,
              (SELECT count(*)::int FROM jobs j WHERE j.queue = 'scenarios.step' AND j.status = 'pending'
                 AND (j.payload->>'enrolmentId')::bigint IN (SELECT id FROM scenario_enrolments WHERE scenario_id = $1)) AS jobs
       FROM scenario_enrolments WHERE scenario_id = $1 AND status = 'active' AND next_step = 'again' AND next_seq = 3
         AND next_run_at > now() + interval '23 hours'`,
      [id],
    );
    expect(waiting.rows[0]).toEqual({ n: 41, jobs: 41 });
    await w.stop();
  });
});

describe('goals and re-entry', () => {
  it('reaching the goal (became SQL) ends the scenario while waiting', async () => {
    const id = await scenario({ ...welcomeFlow(), goal: { stages: ['sql'] } });
    const p = await person();
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/enrol`, payload: { personIds: [p] } });
    await drainAll();
    expect(
      (
        await t.call({
          method: 'POST',
          url: `/api/v1/people/${p}/stage`,
          payload: { stage: 'mql' },
          as: 'marketing',
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await t.call({
          method: 'POST',
          url: `/api/v1/people/${p}/stage`,
          payload: { stage: 'sql' },
          as: 'sales',
        })
      ).statusCode,
    ).toBe(200);
    await drainAll();
    await makeDue(t.db);
    await drainAll();
    const e = await t.db.query<{ status: string; exit_reason: string }>(
      'SELECT status, exit_reason FROM scenario_enrolments WHERE scenario_id = $1',
      [id],
    );
    expect(e.rows).toEqual([{ status: 'goal', exit_reason: 'goal_reached' }]);
    const mails = await t.db.query('SELECT 1 FROM mail_messages WHERE person_id = $1', [p]);
    expect(mails.rows).toHaveLength(1);
  });

  it('a stage trigger enrols once with re-entry "never", again after the exit with "after_exit"', async () => {
    const steps = [{ id: 'score', type: 'adjust_score', points: 5, next: null }];
    const once = await scenario({ trigger: { type: 'stage_changed', to: 'mql' }, steps });
    const again = await scenario({
      trigger: { type: 'stage_changed', to: 'mql' },
      steps,
      reentry: 'after_exit',
    });
    const p = await person();
    const move = (stage: string, as: 'marketing' | 'sales') =>
      t.call({ method: 'POST', url: `/api/v1/people/${p}/stage`, payload: { stage }, as });
    await move('mql', 'marketing');
    await drainAll();
    await move('recycled', 'marketing');
    await move('mql', 'marketing');
    await drainAll();
    const count = async (s: string) =>
      (
        await t.db.query(
          'SELECT occurrence FROM scenario_enrolments WHERE scenario_id = $1 AND person_id = $2',
          [s, p],
        )
      ).rows.length;
    expect(await count(once)).toBe(1);
    expect(await count(again)).toBe(2);
    const score = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM activities WHERE person_id = $1 AND type = 'score_adjusted'`,
      [p],
    );
    expect(score.rows[0].n).toBe(3);
  });

  it('a form submission triggers the scenario of that form only, and a person already in it is not enrolled twice', async () => {
    const formA = '11111111-1111-4111-8111-111111111111';
    const id = await scenario(
      {
        trigger: { type: 'form_submitted' },
        steps: [
          { id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' }, next: 'x' },
          { id: 'x', type: 'exit' },
        ],
      },
      false,
    );
    // A scenario on any form; the trigger's form filter is covered by the pure tests.
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/activate` });
    const p = await person();
    await t.db.transaction(async (tx) => {
      await emitEvent(tx, 1, 'form.submitted', { formId: formA, submissionId: 'x1', campaignId: null }, p);
      await emitEvent(tx, 1, 'form.submitted', { formId: formA, submissionId: 'x2', campaignId: null }, p);
    });
    await drainAll();
    const e = await t.db.query<{ status: string; source: string }>(
      'SELECT status, source FROM scenario_enrolments WHERE scenario_id = $1',
      [id],
    );
    expect(e.rows).toEqual([{ status: 'active', source: 'trigger' }]);
  });

  it('pausing holds people at their step; activating again moves them on', async () => {
    const id = await scenario({
      trigger: { type: 'manual' },
      steps: [
        { id: 'w', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'm' },
        { id: 'm', type: 'send_email', templateId: followUp, next: null },
      ],
    });
    const p = await person();
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/enrol`, payload: { personIds: [p] } });
    await drainAll();
    expect((await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/pause` })).json().status).toBe(
      'paused',
    );
    await makeDue(t.db);
    await drainAll();
    expect((await t.db.query('SELECT 1 FROM mail_messages WHERE person_id = $1', [p])).rows).toHaveLength(0);
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/activate` });
    await drainAll();
    // Still within the hour the wait asked for: rescheduled for its end, not earlier.
    expect((await t.db.query('SELECT 1 FROM mail_messages WHERE person_id = $1', [p])).rows).toHaveLength(0);
    await makeDue(t.db);
    await drainAll();
    expect((await t.db.query('SELECT 1 FROM mail_messages WHERE person_id = $1', [p])).rows).toHaveLength(1);
  });

  it('a person without consent is skipped with the reason recorded, and the scenario goes on', async () => {
    const id = await scenario({
      trigger: { type: 'manual' },
      steps: [
        { id: 'm', type: 'send_email', templateId: welcome, next: 'f' },
        { id: 'f', type: 'update_field', field: 'customFields.nurtured', value: 'yes', next: null },
      ],
    });
    const p = await person({ consent: false });
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/enrol`, payload: { personIds: [p] } });
    await drainAll();
    const h = (await t.call({ method: 'GET', url: `/api/v1/people/${p}/scenarios` })).json().items[0];
    expect(
      h.steps.map((s: { outcome: string; detail: { reason?: string } }) => [s.outcome, s.detail.reason]),
    ).toEqual([
      ['skipped', 'no_consent'],
      ['done', undefined],
    ]);
    const pp = (await t.call({ method: 'GET', url: `/api/v1/people/${p}` })).json();
    expect(pp.customFields.nurtured).toBe('yes');
  });
});
