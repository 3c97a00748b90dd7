import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import type { RuleSet } from './rule-set.ts';
import { daysBefore, insertActivities } from './test-fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const draft: Omit<RuleSet, 'version'> = {
  halfLifeDays: null,
  fitGrades: { A: 50, B: 30, C: 10 },
  mql: { all: [{ fitGradeAtLeast: 'B' }, { engagementAtLeast: 40 }] },
  rules: [
    { id: 'manager', name: '部長', kind: 'fit', when: { field: 'title', op: 'contains', values: ['部長'] }, points: 50 },
    { id: 'form', name: 'フォーム', kind: 'engagement', when: { types: ['form_submit'] }, points: 40, maxCount: 1 },
  ],
};

/**
 * Six leads with a known history (days before now):
 *  p1 部長, form -60, MQL -50, SQL -30, won -10   → MQL before SQL, won
 *  p2 部長, SGL -40, SQL -30, form -10, won -5     → form came after SQL: not MQL at SQL, won
 *  p3 部長, form -20                               → MQL, never SQL
 *  p4 (no title), form -20                         → grade D, not MQL
 *  p5 部長, opportunity -15 (no transition)         → SQL via the deal, not MQL
 *  p6 nothing                                      → nothing
 */
async function loadHistory(now: Date) {
  const person = async (email: string, title: string | null, stage: string) =>
    (
      await t.db.query<{ id: string }>(
        `INSERT INTO people (workspace_id, email, title, stage, created_at) VALUES (1, $1, $2, $3, $4) RETURNING id`,
        [email, title, stage, daysBefore(now, 90)],
      )
    ).rows[0].id;
  const move = (id: string, from: string | null, to: string, days: number) =>
    t.db.query(
      `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type) VALUES (1, $1, $2, $3, $4, 'user')`,
      [id, from, to, daysBefore(now, days)],
    );
  const deal = (id: string, status: string, createdDays: number, closedDays: number | null) =>
    t.db.query(
      `INSERT INTO opportunities (workspace_id, person_id, name, amount, status, created_at, closed_at) VALUES (1, $1, '商談', 1000000, $2, $3, $4)`,
      [id, status, daysBefore(now, createdDays), closedDays === null ? null : daysBefore(now, closedDays)],
    );
  const form = (days: number) => [{ type: 'form_submit', occurredAt: daysBefore(now, days) }];

  const p1 = await person('p1@bt.jp', '情報システム部長', 'won');
  await insertActivities(t, p1, form(60));
  await move(p1, 'inquiry', 'mql', 50);
  await move(p1, 'mql', 'sal', 40);
  await move(p1, 'sal', 'sql', 30);
  await move(p1, 'sql', 'won', 10);
  await deal(p1, 'won', 30, 10);

  const p2 = await person('p2@bt.jp', '営業部長', 'won');
  await move(p2, 'inquiry', 'sgl', 40);
  await move(p2, 'sgl', 'sql', 30);
  await insertActivities(t, p2, form(10));
  await move(p2, 'sql', 'won', 5);

  const p3 = await person('p3@bt.jp', '部長', 'inquiry');
  await insertActivities(t, p3, form(20));
  const p4 = await person('p4@bt.jp', null, 'inquiry');
  await insertActivities(t, p4, form(20));
  const p5 = await person('p5@bt.jp', '部長', 'inquiry');
  await deal(p5, 'open', 15, null);
  await person('p6@bt.jp', null, 'inquiry');
}

describe('backtest', () => {
  it('scores each lead as of the moment sales qualified it and reports precision, recall, lift and bands', async () => {
    await loadHistory(new Date());
    const r = await t.call({ method: 'POST', url: '/api/v1/scoring/backtest', payload: { ruleSet: draft }, as: 'viewer' });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(b.population).toBe(6);
    expect(b.predictedMql).toBe(2);
    expect(b.sql).toEqual({ actual: 3, precision: 0.5, recall: 1 / 3, baseRate: 0.5, lift: 1 });
    expect(b.won).toEqual({ actual: 2, precision: 0.5, recall: 0.5, baseRate: 1 / 3, lift: 1.5 });
    expect(b.winsMqlBeforeSql).toBe(0.5);
    expect(b.actualWinsMqlBeforeSql).toBe(0.5);
    const band = (name: string) => b.engagementBands.find((x: { band: string }) => x.band === name);
    expect(band('0–19')).toMatchObject({ people: 3, sql: 2, won: 1 });
    expect(band('40–59')).toMatchObject({ people: 3, sql: 1, won: 1, sqlRate: 1 / 3 });
    expect(b.fitGrades.find((g: { grade: string }) => g.grade === 'A')).toMatchObject({ people: 4, sql: 3, won: 2, wonRate: 0.5 });
    expect(b.reach).toEqual({ manager: 4, form: 3 });
    const months = b.mqlsPerMonth as { month: string; predicted: number; actual: number }[];
    expect(months).toHaveLength(12);
    expect(months.reduce((s, m) => s + m.predicted, 0)).toBe(2);
    expect(months.reduce((s, m) => s + m.actual, 0)).toBe(1);
  });

  it('compares a draft with the active rules: a lower threshold predicts more MQLs', async () => {
    const saved = await t.call({ method: 'PUT', url: '/api/v1/scoring/rules', payload: { ...draft, comment: 'backtest base' } });
    expect(saved.statusCode).toBe(200);
    const active = (await t.call({ method: 'POST', url: '/api/v1/scoring/backtest', payload: {} })).json();
    const looser = (
      await t.call({
        method: 'POST',
        url: '/api/v1/scoring/backtest',
        payload: { ruleSet: { ...draft, mql: { all: [{ fitGradeAtLeast: 'D' }, { engagementAtLeast: 40 }] } } },
      })
    ).json();
    expect(active.predictedMql).toBe(2);
    expect(looser.predictedMql).toBe(3);
  });

  it('refuses an invalid draft with 422 naming the rule and field', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/scoring/backtest',
      payload: { ruleSet: { ...draft, rules: [{ ...draft.rules[1], points: 1000 }] } },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors).toEqual([{ path: 'ruleSet.rules[form].points', message: expect.any(String) }]);
  });
});
