import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';

let t: TestApp;

/** Tokyo midnight of the first of the month `offset` months from now, as a Date. */
function tokyoMonthStart(offset: number): Date {
  const now = new Date(Date.now() + 9 * 3600_000);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1) - 9 * 3600_000);
}

async function person(email: string) {
  const r = await t.call({ method: 'POST', url: '/api/v1/people', payload: { email, lastName: '山田' } });
  return r.json().id as string;
}

async function enter(personId: string, stage: string, at: Date) {
  await t.db.query(
    `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type) VALUES (1, $1, 'inquiry', $2, $3, 'system')`,
    [personId, stage, at],
  );
}

beforeAll(async () => {
  t = await createTestApp();
  const thisMonth = tokyoMonthStart(0);
  const lastMonth = tokyoMonthStart(-1);
  const a = await person('a@dash.test');
  const b = await person('b@dash.test');
  const c = await person('c@dash.test');
  const d = await person('d@dash.test');
  await t.db.query(`UPDATE people SET stage = 'mql' WHERE email IN ('a@dash.test', 'b@dash.test')`);
  // a: MQL this month (twice — counted once), b: MQL last month, c: MQL one minute before this month (Tokyo),
  // d: MQL two months ago (outside both windows).
  await enter(a, 'mql', new Date(thisMonth.getTime() + 60_000));
  await enter(a, 'mql', new Date(thisMonth.getTime() + 120_000));
  await enter(b, 'mql', new Date(lastMonth.getTime() + 86_400_000));
  await enter(c, 'mql', new Date(thisMonth.getTime() - 60_000));
  await enter(d, 'mql', new Date(tokyoMonthStart(-2).getTime() + 1000));
  await enter(c, 'sal', new Date(Math.min(Date.now(), thisMonth.getTime() + 3_600_000)));
});

afterAll(() => t.close());

describe('GET /api/v1/dashboard/summary', () => {
  it('counts people per stage now, and distinct people entering each stage this month and last month in Tokyo time', async () => {
    const r = await t.call({ method: 'GET', url: '/api/v1/dashboard/summary', as: 'viewer' });
    expect(r.statusCode).toBe(200);
    const s = r.json();
    expect(s.timeZone).toBe('Asia/Tokyo');
    expect(s.thisMonth.from).toMatch(/^\d{4}-\d{2}-01$/);
    expect(s.lastMonth.to).toBe(s.thisMonth.from);
    const mql = s.stages.find((x: { stage: string }) => x.stage === 'mql');
    expect(mql).toEqual({ stage: 'mql', current: 2, thisMonth: 1, lastMonth: 2 });
    const sal = s.stages.find((x: { stage: string }) => x.stage === 'sal');
    expect(sal.thisMonth).toBe(1);
    const inquiry = s.stages.find((x: { stage: string }) => x.stage === 'inquiry');
    expect(inquiry).toEqual({ stage: 'inquiry', current: 2, thisMonth: 4, lastMonth: 0 });
    expect(s.stages).toHaveLength(9);
    expect(s.totals).toEqual({ people: 4, createdThisMonth: 4, createdLastMonth: 0 });
  });

  it('cuts months in the requested time zone', async () => {
    const r = await t.call({ method: 'GET', url: '/api/v1/dashboard/summary?tz=UTC' });
    expect(r.statusCode).toBe(200);
    expect(r.json().timeZone).toBe('UTC');
  });

  it('rejects an unknown time zone with a 422 naming tz', async () => {
    const r = await t.call({ method: 'GET', url: '/api/v1/dashboard/summary?tz=Mars/Olympus' });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors[0].path).toBe('tz');
  });

  it('needs authentication', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/dashboard/summary' });
    expect(r.statusCode).toBe(401);
  });
});

describe('GET /api/v1/dashboard/stage-entries', () => {
  it('lists the people behind a number, one row per person, paged', async () => {
    const s = (await t.call({ method: 'GET', url: '/api/v1/dashboard/summary' })).json();
    const url = `/api/v1/dashboard/stage-entries?stage=mql&from=${s.lastMonth.from}&to=${s.lastMonth.to}&limit=1`;
    const first = await t.call({ method: 'GET', url, as: 'viewer' });
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(1);
    expect(first.json().nextCursor).not.toBeNull();
    const second = await t.call({ method: 'GET', url: `${url}&cursor=${first.json().nextCursor}` });
    const emails = [...first.json().items, ...second.json().items].map((p: { email: string }) => p.email).sort();
    expect(emails).toEqual(['b@dash.test', 'c@dash.test']);
    expect(second.json().nextCursor).toBeNull();
  });

  it('rejects an unknown stage and a reversed period', async () => {
    const bad = await t.call({ method: 'GET', url: '/api/v1/dashboard/stage-entries?stage=hot&from=2026-01-01&to=2026-02-01' });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    const rev = await t.call({ method: 'GET', url: '/api/v1/dashboard/stage-entries?stage=mql&from=2026-02-01&to=2026-01-01' });
    expect(rev.statusCode).toBe(422);
    expect(rev.json().errors[0].path).toBe('to');
  });
});
