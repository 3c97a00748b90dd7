import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { insertPeople, insertTransitions } from './test-history.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const jstMonth = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 7);
const monthStart = (ym: string) => Date.parse(`${ym}-01T00:00:00+09:00`);
const prevMonth = (ym: string) => jstMonth(new Date(monthStart(ym) - DAY));

describe('KPI targets', () => {
  const now = new Date();
  const thisMonth = jstMonth(now);
  const lastMonth = prevMonth(thisMonth);

  it('stores monthly and quarterly targets per stage and revenue, and removes one with null', async () => {
    const put = await t.call({
      method: 'PUT',
      url: '/api/v1/targets',
      as: 'marketing',
      payload: {
        items: [
          { period: thisMonth, metric: 'mql', value: 40 },
          { period: thisMonth, metric: 'revenue', value: 12_000_000 },
          { period: thisMonth, metric: 'sql', value: 5 },
          { period: lastMonth, metric: 'mql', value: 30 },
          { period: '2026-Q4', metric: 'won', value: 12 },
        ],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    await t.call({
      method: 'PUT',
      url: '/api/v1/targets',
      payload: { items: [{ period: thisMonth, metric: 'sql', value: null }] },
    });
    const list = await t.call({
      method: 'GET',
      url: `/api/v1/targets?from=${lastMonth}&to=${thisMonth}`,
      as: 'viewer',
    });
    expect(
      list
        .json()
        .items.map((x: { period: string; metric: string; value: number }) => [x.period, x.metric, x.value]),
    ).toEqual([
      [lastMonth, 'mql', 30],
      [thisMonth, 'mql', 40],
      [thisMonth, 'revenue', 12_000_000],
    ]);
    const q = await t.call({
      method: 'GET',
      url: '/api/v1/targets?periodType=quarter&from=2026-Q4',
      as: 'viewer',
    });
    expect(q.json().items).toMatchObject([{ period: '2026-Q4', metric: 'won', value: 12 }]);
  });

  it('refuses a bad period or metric naming it, and lets only marketing set targets', async () => {
    const bad = await t.call({
      method: 'PUT',
      url: '/api/v1/targets',
      payload: { items: [{ period: '2026-13', metric: 'mql', value: 1 }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('items[0].period');
    expect(
      (
        await t.call({
          method: 'PUT',
          url: '/api/v1/targets',
          as: 'sales',
          payload: { items: [{ period: thisMonth, metric: 'mql', value: 1 }] },
        })
      ).statusCode,
    ).toBe(403);
    const range = await t.call({
      method: 'GET',
      url: `/api/v1/targets/progress?from=${thisMonth}&to=${lastMonth}`,
    });
    expect(range.statusCode).toBe(422);
    expect(range.json().errors[0].path).toBe('from');
  });

  it('compares plan with actual and forecasts the current month at its run-rate', async () => {
    // MQLs: 6 so far this month (all after the month began), 25 last month; one won deal this month.
    const start = monthStart(thisMonth);
    const elapsed = (now.getTime() - start) / DAY;
    const atThis = (i: number) => new Date(start + ((now.getTime() - start) * (i + 1)) / 8);
    const atLast = (i: number) => new Date(monthStart(lastMonth) + DAY * (i % 27) + 3_600_000);
    const people = Array.from({ length: 31 }, (_, i) => ({
      id: crypto.randomUUID(),
      email: `kpi${i}@targets.test`,
      channel: null,
      source: null,
      industry: null,
      employeeCount: null,
      prefecture: null,
      createdAt: new Date(monthStart(lastMonth) - 10 * DAY),
    }));
    await insertPeople(t.db, people, () => 'mql');
    await insertTransitions(
      t.db,
      people.map((p, i) => ({
        personId: p.id,
        from: 'inquiry',
        to: 'mql',
        at: i < 6 ? atThis(i) : atLast(i),
      })),
    );
    await t.db.query(
      `INSERT INTO opportunities (workspace_id, person_id, name, amount, status, created_at, closed_at) VALUES (1, $1, '受注', 4000000, 'won', $2, $2)`,
      [people[0].id, atThis(0)],
    );
    const r = await t.call({
      method: 'GET',
      url: `/api/v1/targets/progress?from=${lastMonth}&to=${thisMonth}`,
      as: 'viewer',
    });
    expect(r.statusCode).toBe(200);
    const [last, current] = r.json().periods;
    expect(last).toMatchObject({ period: lastMonth, status: 'past' });
    expect(last.metrics.find((m: { metric: string }) => m.metric === 'mql')).toEqual({
      metric: 'mql',
      target: 30,
      actual: 25,
      gap: -5,
      attainment: 25 / 30,
      forecast: 25,
      onTrack: false,
    });
    expect(current).toMatchObject({ period: thisMonth, status: 'current' });
    const mql = current.metrics.find((m: { metric: string }) => m.metric === 'mql');
    expect(mql).toMatchObject({ target: 40, actual: 6, gap: -34 });
    const expected = Math.round((6 / Math.max(elapsed, 1)) * current.totalDays);
    expect(Math.abs(mql.forecast - expected)).toBeLessThanOrEqual(1);
    expect(mql.onTrack).toBe(mql.forecast >= 40);
    expect(current.metrics.find((m: { metric: string }) => m.metric === 'revenue')).toMatchObject({
      target: 12_000_000,
      actual: 4_000_000,
    });
    expect(current.metrics.find((m: { metric: string }) => m.metric === 'sql')).toMatchObject({
      target: null,
      gap: null,
      onTrack: null,
    });
  });
});
