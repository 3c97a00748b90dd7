import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const create = async (payload: Record<string, unknown>) => {
  const r = await t.call({ method: 'POST', url: '/api/v1/people', payload });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string; accountId: string | null };
};
const activity = (personId: string, type: string, clientId: string) =>
  t.db.query(
    `INSERT INTO activities (workspace_id, person_id, type, client_id, occurred_at) VALUES (1, $1, $2, $3, now() - interval '1 day')`,
    [personId, type, clientId],
  );

describe('merging two people by hand', () => {
  it('keeps the survivor, fills its blanks, moves timeline, transitions, memberships and deals, deletes the other, audited', async () => {
    const keep = await create({
      email: 'ichiro@merge.example.jp',
      lastName: '髙橋',
      firstName: '一郎',
      title: '部長',
      channel: 'web',
    });
    const dup = await create({
      email: 'i.takahashi@gmail.com',
      lastName: '高橋',
      company: '株式会社マージ',
      phone: '03-1111-2222',
      consent: true,
      customFields: { booth: 'A-1' },
    });
    await activity(keep.id, 'page_view', 'm1');
    await activity(dup.id, 'form_submit', 'm2');
    await activity(dup.id, 'email_click', 'm3');
    const c = await t.db.query<{ id: string }>(
      `INSERT INTO campaigns (workspace_id, name, channel) VALUES (1, 'マージ展示会', 'tradeshow') RETURNING id`,
    );
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status) VALUES (1, $1, $2, 'invited'), (1, $1, $3, 'attended')`,
      [c.rows[0].id, keep.id, dup.id],
    );
    await t.db.query(
      `INSERT INTO opportunities (workspace_id, person_id, name, amount) VALUES (1, $1, '導入案件', 1000000)`,
      [dup.id],
    );

    const r = await t.call({
      method: 'POST',
      url: `/api/v1/people/${keep.id}/merge`,
      payload: { otherId: dup.id },
      as: 'marketing',
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.person).toMatchObject({
      id: keep.id,
      email: 'ichiro@merge.example.jp',
      lastName: '髙橋',
      firstName: '一郎',
      company: '株式会社マージ',
      phone: '03-1111-2222',
      consent: true,
      channel: 'web',
      customFields: { booth: 'A-1', mergedEmails: ['i.takahashi@gmail.com'] },
    });
    expect(body.moved).toMatchObject({
      activities: 2,
      stage_transitions: 1,
      opportunities: 1,
      campaign_members: 1,
    });
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${dup.id}` })).statusCode).toBe(404);
    const timeline = (await t.call({ method: 'GET', url: `/api/v1/people/${keep.id}/timeline` })).json();
    const types = JSON.stringify(timeline);
    expect(types).toContain('form_submit');
    expect(types).toContain('email_click');
    expect(types).toContain('page_view');
    const member = await t.db.query('SELECT status FROM campaign_members WHERE person_id = $1', [keep.id]);
    expect(member.rows).toEqual([{ status: 'attended' }]);
    const transitions = await t.db.query('SELECT to_stage FROM stage_transitions WHERE person_id = $1', [
      keep.id,
    ]);
    expect(transitions.rows).toHaveLength(2);
    const audit = await t.db.query<{ changes: Record<string, unknown>; meta: Record<string, unknown> }>(
      `SELECT changes, meta FROM audit_log WHERE action = 'person.merged' AND entity_id = $1`,
      [keep.id],
    );
    expect(audit.rows[0].changes).toMatchObject({
      company: [null, '株式会社マージ'],
      phone: [null, '03-1111-2222'],
    });
    expect(audit.rows[0].meta).toMatchObject({ mergedId: dup.id, mergedEmail: 'i.takahashi@gmail.com' });
  });

  it('refuses merging a person with themselves, an unknown person, a bad id, and roles without people:merge', async () => {
    const p = await create({ email: 'solo@merge.example.jp' });
    const self = await t.call({
      method: 'POST',
      url: `/api/v1/people/${p.id}/merge`,
      payload: { otherId: p.id },
    });
    expect(self.statusCode).toBe(422);
    expect(self.json().errors[0].path).toBe('otherId');
    const unknown = await t.call({
      method: 'POST',
      url: `/api/v1/people/${p.id}/merge`,
      payload: { otherId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].path).toBe('otherId');
    const missing = await t.call({
      method: 'POST',
      url: `/api/v1/people/00000000-0000-4000-8000-000000000000/merge`,
      payload: { otherId: p.id },
    });
    expect(missing.statusCode).toBe(404);
    const bad = await t.call({
      method: 'POST',
      url: `/api/v1/people/${p.id}/merge`,
      payload: { otherId: 'nope' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('otherId');
    const other = await create({ email: 'solo2@merge.example.jp' });
    const sales = await t.call({
      method: 'POST',
      url: `/api/v1/people/${p.id}/merge`,
      payload: { otherId: other.id },
      as: 'sales',
    });
    expect(sales.statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${other.id}` })).statusCode).toBe(200);
  });

  it("shows an account's activity: its people's activities, newest first, paged", async () => {
    const a = await create({ email: 'one@activity-corp.example.jp', company: 'アクティビティ株式会社' });
    const b = await create({ email: 'two@activity-corp.example.jp' });
    expect(a.accountId).toBe(b.accountId);
    await activity(a.id, 'page_view', 'a1');
    await activity(b.id, 'form_submit', 'a2');
    await activity(b.id, 'email_open', 'a3');
    const first = (
      await t.call({ method: 'GET', url: `/api/v1/accounts/${a.accountId}/activity?limit=2`, as: 'viewer' })
    ).json();
    expect(first.items).toHaveLength(2);
    expect(first.items[0].person.email).toMatch(/activity-corp/);
    const second = (
      await t.call({
        method: 'GET',
        url: `/api/v1/accounts/${a.accountId}/activity?limit=2&cursor=${first.nextCursor}`,
      })
    ).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items].map((x: { type: string }) => x.type).sort();
    expect(all).toEqual(['email_open', 'form_submit', 'page_view']);
    expect(
      (await t.call({ method: 'GET', url: '/api/v1/accounts/00000000-0000-4000-8000-000000000000/activity' }))
        .statusCode,
    ).toBe(404);
  });
});
