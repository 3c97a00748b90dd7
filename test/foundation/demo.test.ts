import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.ts';
import { seededRandom } from '../../src/demo/random.ts';
import { seedStory, TAKAHASHI_EMAIL } from '../../src/demo/story.ts';
import { checkTransition, STAGES, type Stage } from '../../src/lifecycle/stages.ts';
import { DEFAULT_CHANNELS } from '../../src/people/channels.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { silentLog } from '../../src/platform/log.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb } from '../helpers/db.ts';

describe('the demo story (seed-demo)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    const seeded = await seedDemo(t.ctx, { onlyIfEmpty: true });
    expect(seeded?.adminEmail).toBe('admin@demo.leadflow.jp');
  }, 240_000);
  afterAll(() => t?.close());

  it('has at least 30 companies across industries and sizes, and 1,000 people with kana and titles', async () => {
    const a = await t.db.query<{ n: number; industries: number; small: number; large: number }>(
      `SELECT count(*) AS n, count(DISTINCT industry) AS industries,
              count(*) FILTER (WHERE employee_count < 100) AS small, count(*) FILTER (WHERE employee_count >= 1000) AS large
       FROM accounts WHERE workspace_id = 1`,
    );
    expect(a.rows[0].n).toBeGreaterThanOrEqual(30);
    expect(a.rows[0].industries).toBeGreaterThanOrEqual(8);
    expect(a.rows[0].small).toBeGreaterThan(0);
    expect(a.rows[0].large).toBeGreaterThan(0);
    const p = await t.db.query<{ n: number; kana: number; bucho: number; kacho: number; tanto: number }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE last_name_kana ~ '^[ァ-ヶー]+$' AND first_name_kana ~ '^[ァ-ヶー]+$') AS kana,
              count(*) FILTER (WHERE title LIKE '%部長%') AS bucho, count(*) FILTER (WHERE title = '課長') AS kacho,
              count(*) FILTER (WHERE title = '担当') AS tanto
       FROM people WHERE workspace_id = 1`,
    );
    expect(p.rows[0].n).toBeGreaterThanOrEqual(1000);
    expect(p.rows[0].kana).toBe(p.rows[0].n);
    for (const k of ['bucho', 'kacho', 'tanto'] as const) expect(p.rows[0][k]).toBeGreaterThan(10);
  });

  it('has 8 campaigns of the eight channels, with costs', async () => {
    const r = await t.db.query<{ channel: string; cost: number }>('SELECT channel, cost FROM campaigns WHERE workspace_id = 1');
    const channels = new Set(r.rows.map((x) => x.channel));
    for (const c of ['tradeshow', 'seminar', 'webinar', 'document_request', 'ads', 'newsletter', 'business_card', 'telemarketing']) {
      expect(channels, c).toContain(c);
      expect(DEFAULT_CHANNELS.map((d) => d.key)).toContain(c);
    }
    expect(r.rows.filter((x) => x.cost > 0).length).toBeGreaterThanOrEqual(7);
  });

  it('spans 18 months of activities', async () => {
    const r = await t.db.query<{ months: number; n: number }>(
      `SELECT count(DISTINCT date_trunc('month', occurred_at)) AS months, count(*) AS n FROM activities WHERE workspace_id = 1`,
    );
    expect(r.rows[0].months).toBeGreaterThanOrEqual(18);
    expect(r.rows[0].n).toBeGreaterThan(10_000);
  });

  it('has stage histories through every stage, each move legal, each person at their last transition', async () => {
    const r = await t.db.query<{ person_id: string; from_stage: Stage | null; to_stage: Stage; stage: Stage }>(
      `SELECT st.person_id, st.from_stage, st.to_stage, p.stage FROM stage_transitions st JOIN people p ON p.id = st.person_id
       WHERE st.workspace_id = 1 ORDER BY st.person_id, st.at, st.id`,
    );
    const reached = new Set(r.rows.map((x) => x.to_stage));
    for (const s of STAGES) expect(reached, s).toContain(s);
    const last = new Map<string, { to: Stage; stage: Stage }>();
    for (const row of r.rows) {
      if (row.from_stage) expect(checkTransition(row.from_stage, row.to_stage, 'system'), `${row.from_stage}→${row.to_stage}`).toEqual({ ok: true });
      last.set(row.person_id, { to: row.to_stage, stage: row.stage });
    }
    for (const [, v] of last) expect(v.stage).toBe(v.to);
  });

  it('has sales users who own leads, and opportunities with amounts, won and lost', async () => {
    const owners = await t.db.query<{ n: number }>(
      `SELECT count(DISTINCT p.owner_id) AS n FROM people p JOIN users u ON u.id = p.owner_id WHERE u.role = 'sales'`,
    );
    expect(owners.rows[0].n).toBeGreaterThanOrEqual(3);
    const o = await t.db.query<{ status: string; n: number; amount: number }>(
      `SELECT status, count(*) AS n, min(amount) AS amount FROM opportunities WHERE workspace_id = 1 GROUP BY status`,
    );
    const by = Object.fromEntries(o.rows.map((x) => [x.status, x]));
    for (const s of ['open', 'won', 'lost']) {
      expect(by[s]?.n, s).toBeGreaterThan(0);
      expect(by[s].amount).toBeGreaterThan(0);
    }
  });

  it('makes 高橋 健一, 情報システム部長 of a 1,500-person manufacturer, an MQL through the default rules', async () => {
    const r = await t.db.query<{ stage: string; fit_grade: string }>('SELECT stage, fit_grade FROM people WHERE email = $1', [TAKAHASHI_EMAIL]);
    expect(r.rows[0]).toMatchObject({ stage: 'mql' });
  });

  it('is deterministic: the same seed and clock give the same story', async () => {
    const digest = async () => {
      const db = await createTestDb();
      try {
        await seedStory({ db, clock: fixedClock(new Date('2026-11-23T00:00:00Z')), log: silentLog, random: seededRandom(7) }, 'x');
        const r = await db.query<{ d: string }>(
          `SELECT md5(string_agg(email || stage || coalesce(title, '') || stage_changed_at::text, ',' ORDER BY email)) AS d FROM people`,
        );
        return r.rows[0].d;
      } finally {
        await db.close();
      }
    };
    expect(await digest()).toBe(await digest());
  }, 120_000);
});
