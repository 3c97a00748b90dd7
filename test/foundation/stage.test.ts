import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function newLead(email: string) {
  return (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email } })).json();
}

describe('moving people through the waterfall', () => {
  it('records every move with its actor and reason, and shows it in the history', async () => {
    const p = await newLead('flow@x.jp');
    const mql = await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, as: 'marketing', payload: { stage: 'mql', reason: 'セミナー参加' } });
    expect(mql.statusCode).toBe(200);
    expect(mql.json().stage).toBe('mql');
    const sal = await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, as: 'sales', payload: { stage: 'sal' } });
    expect(sal.json().stage).toBe('sal');
    const history = (await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/transitions`, as: 'sales' })).json();
    expect(history.items.map((x: { toStage: string }) => x.toStage)).toEqual(['inquiry', 'mql', 'sal']);
    expect(history.items[1]).toMatchObject({ fromStage: 'inquiry', reason: 'セミナー参加', actorType: 'api_key' });
    expect(history.nextStages).toContain('sql');
  });

  it('answers 409 for an illegal move and changes nothing', async () => {
    const p = await newLead('illegal@x.jp');
    const res = await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, payload: { stage: 'won' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('inquiry');
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${p.id}` })).json().stage).toBe('inquiry');
  });

  it('refuses unknown stage names with a 400 naming the field, and viewers with 403', async () => {
    const p = await newLead('unknown-stage@x.jp');
    const bad = await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, payload: { stage: 'hot' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('stage');
    const viewer = await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, as: 'viewer', payload: { stage: 'mql' } });
    expect(viewer.statusCode).toBe(403);
  });

  it('lets sales create an SGL directly, skipping MQL', async () => {
    const p = await newLead('outbound@x.jp');
    const res = await t.call({ method: 'POST', url: `/api/v1/people/${p.id}/stage`, as: 'sales', payload: { stage: 'sgl', reason: 'テレアポ' } });
    expect(res.json().stage).toBe('sgl');
    const mk = await t.call({ method: 'POST', url: `/api/v1/people/${(await newLead('mk@x.jp')).id}/stage`, as: 'marketing', payload: { stage: 'sgl' } });
    expect(mk.statusCode).toBe(403);
  });
});

describe('personal data (APPI / GDPR)', () => {
  it('exports everything held about a person, for admins only', async () => {
    const p = await newLead('export.me@x.jp');
    await t.db.query(`INSERT INTO activities (workspace_id, person_id, type, properties) VALUES (1, $1, 'page_view', '{"url":"/pricing"}')`, [p.id]);
    const res = await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/export` });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.person.email).toBe('export.me@x.jp');
    expect(doc.activities).toHaveLength(1);
    expect(doc.stageHistory[0].to_stage).toBe('inquiry');
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/export`, as: 'marketing' })).statusCode).toBe(403);
  });
});
