import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { verifyWebhook } from '../../platform/webhook-signature.ts';
import { createUser } from '../../team/users.ts';
import { findScenario } from './store.ts';
import { evaluateScenario } from './triggers.ts';

let t: TestApp;
let hooks: Server;
let hookUrl: string;
const received: { body: string; signature: string }[] = [];
let failNext = 0;

beforeAll(async () => {
  t = await createTestApp();
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(503).end();
        return;
      }
      received.push({ body, signature: String(req.headers['leadflow-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await t.close();
  await new Promise((r) => hooks.close(r));
});

async function person(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/people',
    payload: {
      email: `a${Date.now()}${Math.random()}@example.co.jp`,
      lastName: '伊藤',
      consent: true,
      ...extra,
    },
  });
  return r.json().id;
}

describe('action steps', () => {
  it('update a field, adjust the score, change stage, join a campaign, assign and notify the owner, call a signed webhook', async () => {
    const owner = await createUser(t.db, 1, {
      email: 'rep@actions.test',
      password: 'rep-password-1',
      role: 'marketing',
      name: 'インサイドセールス 次郎',
    });
    const camp = await t.call({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: { name: 'ウェビナー 12月', channel: 'webinar' },
    });
    expect(camp.statusCode).toBe(201);
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: {
        name: 'MQL化フォロー',
        trigger: { type: 'manual' },
        steps: [
          {
            id: 'tag',
            type: 'update_field',
            field: 'customFields.nurtureTrack',
            value: 'dx',
            next: 'points',
          },
          { id: 'points', type: 'adjust_score', points: 15, next: 'mql' },
          { id: 'mql', type: 'change_stage', stage: 'mql', next: 'illegal' },
          { id: 'illegal', type: 'change_stage', stage: 'won', next: 'camp' },
          {
            id: 'camp',
            type: 'add_to_campaign',
            campaignId: camp.json().id,
            status: 'invited',
            next: 'assign',
          },
          { id: 'assign', type: 'assign_owner', ownerId: owner.id, next: 'notify' },
          { id: 'notify', type: 'notify_owner', message: 'フォローをお願いします', next: 'hook' },
          { id: 'hook', type: 'webhook', url: hookUrl, next: null },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const secret = created.json().webhookSecret;
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/activate` });
    const p = await person();
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/enrol`, payload: { personIds: [p] } });
    failNext = 1;
    await t.worker.drain();
    // The webhook answered 503 once: retried with backoff.
    await t.db.query(
      `UPDATE jobs SET run_at = now() WHERE queue = 'scenarios.webhook' AND status = 'pending'`,
    );
    await t.worker.drain();

    const pp = (await t.call({ method: 'GET', url: `/api/v1/people/${p}` })).json();
    expect(pp).toMatchObject({ stage: 'mql', ownerId: owner.id, customFields: { nurtureTrack: 'dx' } });
    const transition = await t.db.query<{ actor_type: string; actor_id: string }>(
      `SELECT actor_type, actor_id FROM stage_transitions WHERE person_id = $1 AND to_stage = 'mql'`,
      [p],
    );
    expect(transition.rows).toEqual([{ actor_type: 'scenario', actor_id: id }]);
    const member = await t.db.query<{ status: string }>(
      'SELECT status FROM campaign_members WHERE person_id = $1',
      [p],
    );
    expect(member.rows).toEqual([{ status: 'invited' }]);
    const note = await t.db.query<{ to_address: string; kind: string; subject: string }>(
      `SELECT to_address, kind, subject FROM mail_messages WHERE person_id = $1 AND meta->>'scenarioId' = $2`,
      [p, id],
    );
    expect(note.rows).toEqual([
      {
        to_address: 'rep@actions.test',
        kind: 'notification',
        subject: expect.stringContaining('MQL化フォロー'),
      },
    ]);

    expect(received).toHaveLength(1);
    expect(verifyWebhook(secret, received[0].body, received[0].signature, new Date())).toBe(true);
    expect(JSON.parse(received[0].body)).toMatchObject({
      type: 'scenario.webhook',
      data: { scenarioId: id, stepId: 'hook', person: { id: p, stage: 'mql' } },
    });

    const history = (await t.call({ method: 'GET', url: `/api/v1/people/${p}/scenarios` })).json().items[0]
      .steps;
    expect(history.map((s: { stepId: string; outcome: string }) => `${s.stepId}:${s.outcome}`)).toEqual([
      'tag:done',
      'points:done',
      'mql:done',
      'illegal:skipped',
      'camp:done',
      'assign:done',
      'notify:done',
      'hook:queued',
    ]);
    expect(history[3].detail).toMatchObject({ reason: 'illegal_transition' });
  });

  it('a date field enrols the people whose date (plus the offset) is today', async () => {
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
    const inThirty = new Date(Date.parse(`${today}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    const due = await person({ customFields: { renewal: inThirty } });
    const notDue = await person({ customFields: { renewal: today } });
    const junk = await person({ customFields: { renewal: 'そのうち' } });
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: {
        name: '更新30日前',
        trigger: { type: 'date_field', field: 'customFields.renewal', offsetDays: -30 },
        steps: [
          { id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' }, next: 'x' },
          { id: 'x', type: 'exit' },
        ],
      },
    });
    const id = created.json().id;
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/activate` });
    const s = await findScenario(t.db, id);
    if (!s) throw new Error('missing');
    await evaluateScenario(t.ctx, s);
    await evaluateScenario(t.ctx, s);
    const enrolled = await t.db.query<{ person_id: string }>(
      'SELECT person_id FROM scenario_enrolments WHERE scenario_id = $1',
      [id],
    );
    expect(enrolled.rows.map((r) => r.person_id)).toEqual([due]);
    expect([notDue, junk]).not.toContain(enrolled.rows[0].person_id);
  });

  it('a segment trigger enrols who enters; who leaves and comes back enters again only with after_exit', async () => {
    const seg = await t.call({
      method: 'POST',
      url: '/api/v1/segments',
      payload: {
        name: '福岡のリード',
        kind: 'dynamic',
        filter: { field: 'prefecture', op: 'eq', value: '福岡県' },
      },
    });
    expect(seg.statusCode, seg.body).toBe(201);
    const already = await person({ prefecture: '福岡県' });
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: {
        name: '福岡セミナー',
        trigger: { type: 'segment_entered', segmentId: seg.json().id, includeExisting: false },
        steps: [{ id: 'x', type: 'exit' }],
      },
    });
    const id = created.json().id;
    await t.call({ method: 'POST', url: `/api/v1/scenarios/${id}/activate` });
    await t.worker.drain();
    const s = await findScenario(t.db, id);
    if (!s) throw new Error('missing');
    const newcomer = await person({ prefecture: '北海道' });
    await t.call({ method: 'PATCH', url: `/api/v1/people/${newcomer}`, payload: { prefecture: '福岡県' } });
    await evaluateScenario(t.ctx, s);
    const rows = async () =>
      (
        await t.db.query<{ person_id: string }>(
          'SELECT person_id FROM scenario_enrolments WHERE scenario_id = $1',
          [id],
        )
      ).rows.map((r) => r.person_id);
    expect(await rows()).toEqual([newcomer]);
    expect(await rows()).not.toContain(already);
  });
});
