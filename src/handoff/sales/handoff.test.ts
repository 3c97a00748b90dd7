import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../platform/jobs/queue.ts';
import { DEFAULT_RULE_SET } from '../../scoring/default-rules.ts';
import { createUser } from '../../team/users.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { escalateBreaches } from './sla.ts';

interface Session {
  cookie: string;
  csrf: string;
  userId: string;
}

let t: TestApp;
let smtp: SMTPServer;
const inbox: { to: string; subject: string; html: string; text: string }[] = [];
const users: Record<'boss' | 'mgr' | 'repA' | 'repB' | 'repC' | 'owner', string> = {} as never;
const sessions: Record<'boss' | 'mgr' | 'repA' | 'repB', Session> = {} as never;

async function signIn(email: string): Promise<Session> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password: 'handoff-pass-1' },
  });
  expect(res.statusCode).toBe(200);
  const raw = res.headers['set-cookie'];
  const cookie = (Array.isArray(raw) ? raw[0] : String(raw)).split(';')[0];
  return { cookie, csrf: res.json().csrfToken, userId: res.json().user.id };
}

function as(s: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  return t.app.inject({
    method,
    url,
    payload: payload as never,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
  });
}

let n = 0;
/** People who just became MQL (marketing moves them), in this order, with the worker run once so handoff reacted. */
async function newMqls(...list: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (const fields of list) {
    n++;
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/people',
      payload: { email: `lead${n}@mql${n}.example.jp`, lastName: '山田', firstName: `太郎${n}`, ...fields },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const moved = await t.call({
      method: 'POST',
      url: `/api/v1/people/${id}/stage`,
      payload: { stage: 'mql' },
      as: 'marketing',
    });
    expect(moved.statusCode).toBe(200);
    ids.push(id);
  }
  await t.worker.drain();
  return ids;
}
const newMql = async (fields: Record<string, unknown> = {}) => (await newMqls(fields))[0];

async function until(ok: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

const person = async (id: string) => (await t.call({ method: 'GET', url: `/api/v1/people/${id}` })).json();

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            subject: m.subject ?? '',
            html: String(m.html ?? ''),
            text: m.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  // A client that drops its connection (a killed worker) is normal for an SMTP server, not a crash.
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as { port: number }).port;
  t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}?ignoreTLS=true` });
  const mk = async (key: keyof typeof users, role: 'admin' | 'sales', name: string, managerId?: string) => {
    // Only the users who sign in get a real (slow, argon2) password.
    const id = ['boss', 'mgr', 'repA', 'repB'].includes(key)
      ? (await createUser(t.db, 1, { email: `${key}@handoff.test`, password: 'handoff-pass-1', role, name }))
          .id
      : (
          await t.db.query<{ id: string }>(
            `INSERT INTO users (workspace_id, email, name, password_hash, role) VALUES (1, $1, $2, '-', $3) RETURNING id`,
            [`${key}@handoff.test`, name, role],
          )
        ).rows[0].id;
    if (managerId) await t.db.query('UPDATE users SET manager_id = $1 WHERE id = $2', [managerId, id]);
    users[key] = id;
  };
  await mk('boss', 'admin', '部長 一郎');
  await mk('mgr', 'sales', '課長 花子');
  await mk('repA', 'sales', '営業 A子', users.mgr);
  await mk('repB', 'sales', '営業 B男');
  await mk('repC', 'sales', '営業 C介');
  await mk('owner', 'sales', '担当 大輔');
  for (const k of ['boss', 'mgr', 'repA', 'repB'] as const) sessions[k] = await signIn(`${k}@handoff.test`);
  // The manager takes no leads from the round robin.
  await t.db.query(`INSERT INTO handoff_reps (workspace_id, user_id, weight) VALUES (1, $1, 0)`, [users.mgr]);
  const rules = await t.call({
    method: 'PUT',
    url: '/api/v1/handoff/assignment-rules',
    payload: {
      rules: [
        { id: 'account-owner', name: 'Account owner', kind: 'account_owner' },
        { id: 'kansai', name: '関西', kind: 'territory', regions: ['関西'], userIds: [users.repB] },
        { id: 'rr', name: 'Round robin', kind: 'round_robin', userIds: [users.repA, users.repC] },
      ],
    },
  });
  expect(rules.statusCode).toBe(200);
}, 180_000);

afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('assignment', () => {
  it('gives a new MQL to its account’s owner first, records it and emits person.assigned with the package', async () => {
    const first = await newMql({
      email: 'a@owned-corp.co.jp',
      company: 'オウンド株式会社',
      prefecture: '大阪府',
    });
    const accountId = (await person(first)).accountId as string;
    await t.db.query('UPDATE accounts SET owner_id = $1 WHERE id = $2', [users.owner, accountId]);
    const id = await newMql({
      email: 'b@owned-corp.co.jp',
      company: 'オウンド株式会社',
      prefecture: '大阪府',
    });
    expect((await person(id)).ownerId).toBe(users.owner);
    const rows = await t.db.query<{ rule_kind: string; trigger: string; owner_id: string }>(
      'SELECT rule_kind, trigger, owner_id FROM handoff_assignments WHERE person_id = $1',
      [id],
    );
    expect(rows.rows).toEqual([{ rule_kind: 'account_owner', trigger: 'mql', owner_id: users.owner }]);
    const ev = await t.db.query<{
      data: { ownerId: string; rule: { kind: string }; handoff: { person: { id: string }; score: unknown } };
    }>(`SELECT data FROM events WHERE type = 'person.assigned' AND person_id = $1`, [id]);
    expect(ev.rows).toHaveLength(1);
    expect(ev.rows[0].data.ownerId).toBe(users.owner);
    expect(ev.rows[0].data.rule.kind).toBe('account_owner');
    expect(ev.rows[0].data.handoff.person.id).toBe(id);
    expect(ev.rows[0].data.handoff.score).toBeTruthy();
  });

  it('routes a 関西 lead to the territory rep and the rest round robin', async () => {
    const [kansai, ...tokyo] = await newMqls(
      { prefecture: '兵庫' },
      ...Array.from({ length: 4 }, () => ({ prefecture: '東京都' })),
    );
    expect((await person(kansai)).ownerId).toBe(users.repB);
    const owners = [];
    for (const id of tokyo) owners.push((await person(id)).ownerId);
    expect(owners.filter((o) => o === users.repA)).toHaveLength(2);
    expect(owners.filter((o) => o === users.repC)).toHaveLength(2);
  });

  it('passes over a rep who is out of office today', async () => {
    const res = await as(sessions.repA, 'PUT', `/api/v1/handoff/reps/${users.repA}`, {
      outOfOfficeFrom: '2020-01-01',
      outOfOfficeTo: '2099-12-31',
    });
    expect(res.statusCode).toBe(200);
    const owners = [];
    for (const id of await newMqls({ prefecture: '東京都' }, { prefecture: '東京都' }))
      owners.push((await person(id)).ownerId);
    expect(owners).toEqual([users.repC, users.repC]);
    await as(sessions.repA, 'PUT', `/api/v1/handoff/reps/${users.repA}`, {
      outOfOfficeFrom: null,
      outOfOfficeTo: null,
    });
  });

  it('lets a rep set only their own absence, and refuses an absence that ends before it starts', async () => {
    const backwards = await as(sessions.repA, 'PUT', `/api/v1/handoff/reps/${users.repA}`, {
      outOfOfficeFrom: '2026-08-10',
      outOfOfficeTo: '2026-08-01',
    });
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors[0].path).toBe('outOfOfficeTo');
    expect(
      (await as(sessions.repA, 'PUT', `/api/v1/handoff/reps/${users.repB}`, { available: false })).statusCode,
    ).toBe(403);
    expect(
      (await as(sessions.repA, 'PUT', `/api/v1/handoff/reps/${users.repA}`, { weight: 5 })).statusCode,
    ).toBe(403);
    expect(
      (await as(sessions.boss, 'PUT', `/api/v1/handoff/reps/${users.repA}`, { weight: 1 })).statusCode,
    ).toBe(200);
  });

  it('assigns once per MQL event even when the job runs again', async () => {
    const id = await newMql();
    const ev = await t.db.query<{ id: number }>(
      `SELECT id FROM events WHERE type = 'person.stage_changed' AND person_id = $1`,
      [id],
    );
    await enqueue(t.db, 'handoff.events', { eventId: ev.rows[0].id }, { key: `again:${ev.rows[0].id}` });
    await t.worker.drain();
    const rows = await t.db.query('SELECT id FROM handoff_assignments WHERE person_id = $1', [id]);
    expect(rows.rows).toHaveLength(1);
  });

  it('assigns on request, by the rules or to a chosen owner, and refuses a non-rep owner', async () => {
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/people',
      payload: { email: 'manual@assign.example.jp', prefecture: '京都府' },
    });
    const id = created.json().id;
    const byRules = await t.call({
      method: 'POST',
      url: `/api/v1/people/${id}/assign`,
      payload: {},
      as: 'marketing',
    });
    expect(byRules.statusCode).toBe(200);
    expect(byRules.json()).toMatchObject({ ownerId: users.repB, ruleKind: 'territory' });
    const chosen = await t.call({
      method: 'POST',
      url: `/api/v1/people/${id}/assign`,
      payload: { ownerId: users.repC },
    });
    expect(chosen.json().person.ownerId).toBe(users.repC);
    const bad = await t.call({
      method: 'POST',
      url: `/api/v1/people/${id}/assign`,
      payload: { ownerId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('ownerId');
    expect(
      (await t.call({ method: 'POST', url: `/api/v1/people/${id}/assign`, payload: {}, as: 'viewer' }))
        .statusCode,
    ).toBe(403);
    const bulk = await t.call({
      method: 'POST',
      url: '/api/v1/handoff/assign',
      payload: { personIds: [id, '00000000-0000-4000-8000-000000000001'], ownerId: users.repA },
    });
    expect(bulk.json().items).toHaveLength(1);
    expect(bulk.json().notFound).toEqual(['00000000-0000-4000-8000-000000000001']);
  });

  it('refuses rules with an unknown region, naming the field, and lets only admins change them', async () => {
    const bad = await t.call({
      method: 'PUT',
      url: '/api/v1/handoff/assignment-rules',
      payload: {
        rules: [{ id: 'x', name: 'x', kind: 'territory', regions: ['火星'], userIds: [users.repA] }],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors[0].path).toBe('rules.0.regions.0');
    expect(
      (
        await t.call({
          method: 'PUT',
          url: '/api/v1/handoff/assignment-rules',
          payload: { rules: [] },
          as: 'marketing',
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe('the handoff package', () => {
  it('tells how the lead came, what it attended, read and clicked, why it scored and who else is at the account', async () => {
    await t.call({
      method: 'PUT',
      url: '/api/v1/scoring/rules',
      payload: { ...DEFAULT_RULE_SET, comment: 'test' },
      as: 'marketing',
    });
    await t.worker.drain();
    const camp = await t.db.query<{ id: string }>(
      `INSERT INTO campaigns (workspace_id, name, channel) VALUES (1, 'DXセミナー2026', 'seminar') RETURNING id`,
    );
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/people',
      payload: {
        email: 'kenji@story-mfg.co.jp',
        lastName: '<b>佐藤</b>',
        firstName: '健二',
        company: 'ストーリー製作所',
        title: '情報システム部長',
        industry: '製造業',
        employeeCount: 1200,
        source: 'DXセミナー2026',
        channel: 'seminar',
      },
    });
    const id = created.json().id as string;
    await t.call({
      method: 'POST',
      url: '/api/v1/people',
      payload: { email: 'colleague@story-mfg.co.jp', lastName: '同僚', company: 'ストーリー製作所' },
    });
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status) VALUES (1, $1, $2, 'attended')`,
      [camp.rows[0].id, id],
    );
    const day = 86_400_000;
    const acts: [string, number, Record<string, unknown>, string | null][] = [
      ['form_submit', 20 * day, { url: 'https://example.jp/seminar' }, camp.rows[0].id],
      ['event_attended', 15 * day, { name: 'DXセミナー2026' }, camp.rows[0].id],
      ['content_download', 10 * day, { title: '導入事例集' }, null],
      ['email_open', 5 * day, { subject: '事例のご紹介' }, null],
      ['email_click', 5 * day - 60_000, { url: 'https://example.jp/pricing' }, null],
      ['page_view', 2 * day, { url: 'https://example.jp/pricing' }, null],
      ['page_view', 1 * day, { url: 'https://example.jp/pricing' }, null],
    ];
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id)
       SELECT 1, $1, u.t, now() - make_interval(secs => u.ms / 1000.0), u.p::jsonb, u.c::uuid FROM unnest($2::text[], $3::float8[], $4::text[], $5::text[]) AS u(t, ms, p, c)`,
      [
        id,
        acts.map((a) => a[0]),
        acts.map((a) => a[1]),
        acts.map((a) => JSON.stringify(a[2])),
        acts.map((a) => a[3]),
      ],
    );
    await enqueue(t.db, 'scoring.refresh', { personIds: [id] });
    await t.worker.drain();
    await t.call({
      method: 'POST',
      url: `/api/v1/people/${id}/stage`,
      payload: { stage: 'mql' },
      as: 'marketing',
    });
    await t.worker.drain();

    const res = await t.call({ method: 'GET', url: `/api/v1/people/${id}/handoff`, as: 'viewer' });
    expect(res.statusCode).toBe(200);
    const pkg = res.json();
    expect(pkg.acquisition).toMatchObject({
      source: 'DXセミナー2026',
      channel: 'seminar',
      firstTouch: { type: 'form_submit', campaignName: 'DXセミナー2026' },
    });
    expect(pkg.campaigns).toEqual([expect.objectContaining({ name: 'DXセミナー2026', status: 'attended' })]);
    expect(pkg.events).toEqual([
      expect.objectContaining({ type: 'event_attended', title: 'DXセミナー2026' }),
    ]);
    expect(pkg.content.downloads).toEqual([expect.objectContaining({ title: '導入事例集' })]);
    expect(pkg.content.topPages[0]).toMatchObject({ url: 'https://example.jp/pricing', views: 2 });
    expect(pkg.emails).toMatchObject({ opened: 1, clicked: 1 });
    expect(pkg.emails.recent.map((e: { type: string }) => e.type)).toEqual(['email_click', 'email_open']);
    const score = (await t.call({ method: 'GET', url: `/api/v1/people/${id}/score` })).json();
    expect(score.ruleSetVersion).toBe(1);
    expect(pkg.score.contributions).toEqual(score.contributions);
    expect(pkg.score.summary.length).toBeGreaterThan(0);
    expect(pkg.accountPeople.map((p: { email: string }) => p.email)).toEqual(['colleague@story-mfg.co.jp']);
    expect(pkg.owner.id).toBeTruthy();
    expect(pkg.handoff).toMatchObject({ status: 'awaiting', breached: false });
    expect(new Date(pkg.handoff.dueAt).getTime()).toBeGreaterThan(Date.now());
    expect(pkg.assignment).toMatchObject({ trigger: 'mql' });

    // The owner is told by mail, delivered over SMTP, with the lead's values escaped.
    const ownerEmail = (
      await t.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [pkg.owner.id])
    ).rows[0].email;
    const mail = inbox.find((m) => m.to === ownerEmail && m.subject.includes('ストーリー製作所'));
    expect(mail).toBeTruthy();
    expect(mail?.subject).toContain('リードが割り当てられました');
    expect(mail?.html).toContain('&lt;b&gt;佐藤&lt;/b&gt;');
    expect(mail?.html).not.toContain('<b>佐藤');
    expect(mail?.text).toContain('導入事例集');
    expect(mail?.text).toContain(`http://leadflow.test/people/${id}`);
    expect(
      (await t.call({ method: 'GET', url: '/api/v1/people/00000000-0000-4000-8000-000000000009/handoff' }))
        .statusCode,
    ).toBe(404);
  });
});

describe('accept and reject', () => {
  async function mqlOwnedBy(owner: string): Promise<string> {
    const id = await newMql({ prefecture: '東京都' });
    await t.call({ method: 'POST', url: `/api/v1/people/${id}/assign`, payload: { ownerId: owner } });
    return id;
  }

  it('lets the owner accept (→ SAL) and stops the SLA clock', async () => {
    const id = await mqlOwnedBy(users.repA);
    const res = await as(sessions.repA, 'POST', `/api/v1/people/${id}/accept`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json().stage).toBe('sal');
    const h = await t.db.query<{ status: string; decided_by: string }>(
      'SELECT status, decided_by FROM handoffs WHERE person_id = $1',
      [id],
    );
    expect(h.rows).toEqual([{ status: 'accepted', decided_by: '営業 A子' }]);
    const again = await as(sessions.repA, 'POST', `/api/v1/people/${id}/accept`, {});
    expect(again.statusCode).toBe(409);
  });

  it('refuses another rep, a viewer, marketing and a sales API key; allows an admin and the owner’s manager', async () => {
    const id = await mqlOwnedBy(users.repA);
    const other = await as(sessions.repB, 'POST', `/api/v1/people/${id}/accept`, {});
    expect(other.statusCode).toBe(403);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(
      (await t.call({ method: 'POST', url: `/api/v1/people/${id}/accept`, payload: {}, as: 'viewer' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call({ method: 'POST', url: `/api/v1/people/${id}/accept`, payload: {}, as: 'marketing' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call({ method: 'POST', url: `/api/v1/people/${id}/accept`, payload: {}, as: 'sales' }))
        .statusCode,
    ).toBe(403);
    expect((await person(id)).stage).toBe('mql');
    expect((await as(sessions.boss, 'POST', `/api/v1/people/${id}/accept`, {})).json().stage).toBe('sal');
    const second = await mqlOwnedBy(users.repA);
    const byManager = await as(sessions.mgr, 'POST', `/api/v1/people/${second}/reject`, {
      reason: '時期尚早',
    });
    expect(byManager.statusCode).toBe(200);
    expect(byManager.json().stage).toBe('recycled');
  });

  it('rejects with a configured reason back into nurturing, or disqualifies', async () => {
    const id = await mqlOwnedBy(users.repA);
    const none = await as(sessions.repA, 'POST', `/api/v1/people/${id}/reject`, {});
    expect(none.statusCode).toBe(422);
    expect(none.json().errors[0].path).toBe('reason');
    const blank = await as(sessions.repA, 'POST', `/api/v1/people/${id}/reject`, { reason: '  ' });
    expect(blank.statusCode).toBe(422);
    const unknown = await as(sessions.repA, 'POST', `/api/v1/people/${id}/reject`, { reason: '気分' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().detail).toContain('予算なし');
    expect((await person(id)).stage).toBe('mql');

    const res = await as(sessions.repA, 'POST', `/api/v1/people/${id}/reject`, {
      reason: '予算なし',
      note: '来期に再検討',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stage: 'recycled', ownerId: null });
    const tr = await t.db.query<{ reason: string; meta: { reasonCode: string } }>(
      `SELECT reason, meta FROM stage_transitions WHERE person_id = $1 AND to_stage = 'recycled'`,
      [id],
    );
    expect(tr.rows[0].reason).toContain('予算なし');
    expect(tr.rows[0].reason).toContain('来期に再検討');
    expect(tr.rows[0].meta.reasonCode).toBe('no_budget');
    const h = await t.db.query<{ status: string; reason_code: string; owner_id: string }>(
      'SELECT status, reason_code, owner_id FROM handoffs WHERE person_id = $1',
      [id],
    );
    expect(h.rows).toEqual([{ status: 'rejected', reason_code: 'no_budget', owner_id: users.repA }]);
    expect((await as(sessions.repA, 'POST', `/api/v1/people/${id}/accept`, {})).statusCode).toBe(409);

    const dq = await mqlOwnedBy(users.repA);
    const res2 = await as(sessions.repA, 'POST', `/api/v1/people/${dq}/reject`, {
      reason: 'competitor',
      disqualify: true,
    });
    expect(res2.json().stage).toBe('disqualified');
  });

  it('closes the handoff when the lead leaves MQL another way', async () => {
    const id = await mqlOwnedBy(users.repA);
    await t.call({
      method: 'POST',
      url: `/api/v1/people/${id}/stage`,
      payload: { stage: 'sql' },
      as: 'sales',
    });
    await t.worker.drain();
    const h = await t.db.query<{ status: string; outcome_stage: string }>(
      'SELECT status, outcome_stage FROM handoffs WHERE person_id = $1',
      [id],
    );
    expect(h.rows).toEqual([{ status: 'accepted', outcome_stage: 'sql' }]);
  });

  it('lets reasons be configured, and refuses duplicates', async () => {
    const dup = await t.call({
      method: 'PUT',
      url: '/api/v1/handoff/rejection-reasons',
      payload: {
        reasons: [
          { code: 'a', ja: 'あ', en: 'A' },
          { code: 'a', ja: 'い', en: 'B' },
        ],
      },
    });
    expect(dup.statusCode).toBe(422);
    expect(dup.json().errors[0].path).toBe('reasons.1.code');
    const settings = (await t.call({ method: 'GET', url: '/api/v1/handoff/settings', as: 'sales' })).json();
    expect(settings.reasons.map((r: { ja: string }) => r.ja)).toEqual(
      expect.arrayContaining(['予算なし', '時期尚早', '担当者違い', '競合']),
    );
  });
});

describe('SLA, inbox and summary', () => {
  it('lists awaiting MQLs oldest first: a rep sees theirs and the unowned, an admin everything', async () => {
    const mine = await newMql({ prefecture: '東京都' });
    await t.call({ method: 'POST', url: `/api/v1/people/${mine}/assign`, payload: { ownerId: users.repA } });
    const theirs = await newMql({ prefecture: '大阪府' });
    const a = (await as(sessions.repA, 'GET', '/api/v1/handoff/inbox?limit=500')).json();
    const ids = a.items.map((i: { personId: string }) => i.personId);
    expect(ids).toContain(mine);
    expect(ids).not.toContain(theirs);
    expect(
      a.items.every((i: { ownerId: string | null }) => i.ownerId === users.repA || i.ownerId === null),
    ).toBe(true);
    const all = (await as(sessions.boss, 'GET', '/api/v1/handoff/inbox?limit=500')).json();
    const allIds = all.items.map((i: { personId: string }) => i.personId);
    expect(allIds).toEqual(expect.arrayContaining([mine, theirs]));
    const times = all.items.map((i: { mqlAt: string }) => new Date(i.mqlAt).getTime());
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    const page1 = (await as(sessions.boss, 'GET', '/api/v1/handoff/inbox?limit=2')).json();
    const page2 = (
      await as(sessions.boss, 'GET', `/api/v1/handoff/inbox?limit=2&cursor=${page1.nextCursor}`)
    ).json();
    expect([...page1.items, ...page2.items].map((i: { personId: string }) => i.personId)).toEqual(
      allIds.slice(0, 4),
    );
  });

  it('escalates a breached MQL to the owner’s manager once, and the summary counts it', async () => {
    const id = await newMql({ prefecture: '東京都' });
    await t.call({ method: 'POST', url: `/api/v1/people/${id}/assign`, payload: { ownerId: users.repA } });
    await t.db.query(
      `UPDATE handoffs SET mql_at = now() - interval '5 days', due_at = now() - interval '1 hour' WHERE person_id = $1 AND status = 'awaiting'`,
      [id],
    );
    const before = (await t.call({ method: 'GET', url: '/api/v1/handoff/summary' })).json();
    expect(Object.keys(before).sort()).toEqual(['awaiting', 'breached', 'oldestWaitingHours']);
    expect(before.breached).toBeGreaterThanOrEqual(1);
    expect(before.oldestWaitingHours).toBeGreaterThanOrEqual(120);

    await t.db.query(`UPDATE users SET locale = 'en' WHERE id = $1`, [users.mgr]);
    expect(await escalateBreaches(t.ctx, new Date())).toBeGreaterThanOrEqual(1);
    expect(await escalateBreaches(t.ctx, new Date())).toBe(0);
    await enqueue(t.db, 'handoff.sla', {}, { key: 'sla-again' });
    await t.worker.drain();
    const events = await t.db.query<{ data: { escalatedTo: string[] } }>(
      `SELECT data FROM events WHERE type = 'handoff.sla_breached' AND person_id = $1`,
      [id],
    );
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].data.escalatedTo).toEqual([users.mgr]);
    const mails = await t.db.query<{ to_address: string; status: string }>(
      `SELECT to_address, status FROM mail_messages WHERE person_id = $1 AND meta->>'handoff' = 'escalated'`,
      [id],
    );
    expect(mails.rows).toEqual([{ to_address: 'mgr@handoff.test', status: 'sent' }]);
    await until(() => inbox.some((m) => m.to === 'mgr@handoff.test'));
    const escalation = inbox.find((m) => m.to === 'mgr@handoff.test');
    expect(escalation?.subject).toMatch(/^\[Leadflow\] SLA breached: /);
    expect(escalation?.text).toContain('has passed its acceptance deadline');
    const h = await t.db.query<{ breached_at: Date | null }>(
      'SELECT breached_at FROM handoffs WHERE person_id = $1',
      [id],
    );
    expect(h.rows[0].breached_at).toBeTruthy();
    const item = (await as(sessions.repA, 'GET', '/api/v1/handoff/inbox?limit=500'))
      .json()
      .items.find((i: { personId: string }) => i.personId === id);
    expect(item).toMatchObject({ breached: true });
    const mine = (await as(sessions.repB, 'GET', '/api/v1/handoff/summary?scope=mine')).json();
    const all = (await as(sessions.repB, 'GET', '/api/v1/handoff/summary?scope=all')).json();
    expect(mine.breached).toBeLessThan(all.breached);
  });

  it('recomputes open deadlines when the SLA changes and refuses a bad time zone', async () => {
    const bad = await t.call({
      method: 'PUT',
      url: '/api/v1/handoff/sla',
      payload: { businessDays: 2, timezone: 'Mars/Olympus' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toContain('timezone');
    const ok = await t.call({ method: 'PUT', url: '/api/v1/handoff/sla', payload: { businessDays: 10 } });
    expect(ok.statusCode).toBe(200);
    const due = await t.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM handoffs WHERE status = 'awaiting' AND due_at < now()`,
    );
    expect(due.rows[0].n).toBe(0);
    await t.call({ method: 'PUT', url: '/api/v1/handoff/sla', payload: { businessDays: 2 } });
  });
});

describe('sales-generated leads', () => {
  it('creates an SGL owned by the rep, skipping MQL', async () => {
    const res = await as(sessions.repB, 'POST', '/api/v1/handoff/sgl', {
      email: 'referral@partner.example.jp',
      lastName: '紹介',
      company: 'パートナー商事',
      channel: 'referral',
      note: '既存顧客からの紹介',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      stage: 'sgl',
      ownerId: users.repB,
      source: 'sales',
      channel: 'referral',
    });
    const tr = await t.db.query<{ from_stage: string; to_stage: string; reason: string }>(
      `SELECT from_stage, to_stage, reason FROM stage_transitions WHERE person_id = $1 AND to_stage <> 'inquiry'`,
      [res.json().id],
    );
    expect(tr.rows).toEqual([{ from_stage: 'inquiry', to_stage: 'sgl', reason: '既存顧客からの紹介' }]);
    const a = await t.db.query<{ trigger: string }>(
      'SELECT trigger FROM handoff_assignments WHERE person_id = $1',
      [res.json().id],
    );
    expect(a.rows).toEqual([{ trigger: 'sgl' }]);
    const again = await as(sessions.repB, 'POST', '/api/v1/handoff/sgl', {
      email: 'referral@partner.example.jp',
    });
    expect(again.statusCode).toBe(409);
    const key = await t.call({
      method: 'POST',
      url: '/api/v1/handoff/sgl',
      payload: { email: 'x@y.example.jp' },
      as: 'sales',
    });
    expect(key.statusCode).toBe(422);
    expect(key.json().errors[0].path).toBe('ownerId');
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/v1/handoff/sgl',
          payload: { email: 'x@y.example.jp' },
          as: 'marketing',
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe('the contract', () => {
  it('publishes every handoff route in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/api/v1/people/{id}/accept',
      '/api/v1/people/{id}/reject',
      '/api/v1/people/{id}/handoff',
      '/api/v1/people/{id}/assign',
      '/api/v1/handoff/inbox',
      '/api/v1/handoff/summary',
      '/api/v1/handoff/sgl',
      '/api/v1/handoff/assignment-rules',
      '/api/v1/handoff/sla',
    ]) {
      expect(paths).toContain(p);
    }
  });
});
