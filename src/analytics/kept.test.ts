import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { changeStageMany } from '../lifecycle/bulk.ts';
import { systemActor } from '../team/audit.ts';
import { dimensionSql } from './funnel.ts';
import { withFunnelSyncDeferred } from './funnel-sync.ts';
import { BREAKDOWNS } from './model.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const base = Date.UTC(2026, 5, 1);
const at = (d: number) => new Date(base + d * DAY);

/** Each person's touches recomputed from memberships and activities (`g`), and their first touch (`first`). */
const FRESH_TOUCHES = `g AS (
       SELECT s.person_id, s.campaign_id, min(s.at) AS at, p.created_at,
              (SELECT max(entered_at) FROM funnel_entries f WHERE f.person_id = s.person_id AND f.stage = 'mql') AS last_mql_at
       FROM (
         SELECT person_id, campaign_id, CASE WHEN status <> 'invited' THEN joined_at END AS at FROM campaign_members
         UNION ALL
         SELECT person_id, campaign_id, occurred_at FROM activities WHERE campaign_id IS NOT NULL AND person_id IS NOT NULL
       ) s JOIN campaigns c ON c.id = s.campaign_id JOIN people p ON p.id = s.person_id
       GROUP BY s.person_id, s.campaign_id, p.created_at
     ), first AS (
       SELECT DISTINCT ON (person_id) person_id, campaign_id FROM g WHERE at IS NOT NULL ORDER BY person_id, at, campaign_id
     )`;

/** The touches as kept by the triggers, and as recomputed from scratch; they must agree. */
async function keptAndFresh() {
  const kept = await t.db.query<{ k: string }>(
    `SELECT person_id || ' ' || campaign_id || ' ' || coalesce(at::text, '-') || ' ' || person_created_at::text || ' ' || coalesce(last_mql_at::text, '-') || ' ' || lead_touch || ' ' || first_touch AS k
     FROM campaign_touches ORDER BY 1`,
  );
  const fresh = await t.db.query<{ k: string }>(
    `WITH ${FRESH_TOUCHES}, lead AS (
       -- the lead-creation touch: the last touch up to the person's creation plus the slack
       SELECT DISTINCT ON (person_id) person_id, campaign_id FROM g
       WHERE at <= created_at + interval '1 hour' ORDER BY person_id, at DESC, campaign_id DESC
     )
     SELECT g.person_id || ' ' || g.campaign_id || ' ' || coalesce(g.at::text, '-') || ' ' || g.created_at::text || ' ' ||
            coalesce(g.last_mql_at::text, '-') || ' ' || (l.person_id IS NOT NULL) || ' ' || (f.person_id IS NOT NULL) AS k
     FROM g LEFT JOIN lead l ON l.person_id = g.person_id AND l.campaign_id = g.campaign_id
       LEFT JOIN first f ON f.person_id = g.person_id AND f.campaign_id = g.campaign_id ORDER BY 1`,
  );
  return { kept: kept.rows.map((r) => r.k), fresh: fresh.rows.map((r) => r.k) };
}

/**
 * What the funnel reads, as kept by the triggers and as recomputed: each entry's first-touch
 * campaign, the monthly rollup of the entries by every breakdown but channel (grouped with the
 * same value expressions the report uses for the days at a period's edges), and the daily rollup.
 */
async function dimsKeptAndFresh() {
  const keptCampaigns = await t.db.query<{ k: string }>(
    `SELECT transition_id || ' ' || coalesce(campaign_id::text, '-') AS k FROM funnel_entries ORDER BY 1`,
  );
  const freshCampaigns = await t.db.query<{ k: string }>(
    `WITH ${FRESH_TOUCHES}
     SELECT f.transition_id || ' ' || coalesce(first.campaign_id::text, '-') AS k
     FROM funnel_entries f LEFT JOIN first ON first.person_id = f.person_id ORDER BY 1`,
  );
  const keptRollup = await t.db.query<{ k: string }>(
    `SELECT workspace_id || ' ' || dim || ' ' || month || ' ' || stage || ' ' || value || ' ' || days || ' ' || n AS k
     FROM funnel_monthly_dims WHERE n <> 0 ORDER BY 1`,
  );
  const values = BREAKDOWNS.filter((b) => b !== 'channel').map(
    (b) => `SELECT f.*, '${b}' AS dim, coalesce(${dimensionSql(b)}, '') AS value FROM funnel_entries f`,
  );
  const freshRollup = await t.db.query<{ k: string }>(
    `SELECT workspace_id || ' ' || dim || ' ' || month || ' ' || stage || ' ' || value || ' ' || days || ' ' || count(*) AS k
     FROM (
       SELECT x.workspace_id, x.dim, to_char(x.entered_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-01') AS month, x.stage, x.value,
              coalesce(floor(extract(epoch FROM x.next_at - x.entered_at) / 86400)::int, -1) AS days
       FROM (${values.join(' UNION ALL ')}) x
     ) y GROUP BY workspace_id, dim, month, stage, value, days ORDER BY 1`,
  );
  // The daily rollup of totals and channels, whose update trigger nets old rows against new ones.
  const keptDaily = await t.db.query<{ k: string }>(
    `SELECT workspace_id || ' ' || day || ' ' || stage || ' ' || channel || ' ' || days || ' ' || sum(n) AS k
     FROM funnel_daily GROUP BY workspace_id, day, stage, channel, days HAVING sum(n) <> 0 ORDER BY 1`,
  );
  const freshDaily = await t.db.query<{ k: string }>(
    `SELECT workspace_id || ' ' || day || ' ' || stage || ' ' || channel || ' ' || days || ' ' || count(*) AS k
     FROM (
       SELECT workspace_id, to_char(entered_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS day, stage,
              coalesce(${dimensionSql('channel')}, '') AS channel,
              coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1) AS days
       FROM funnel_entries f
     ) x GROUP BY workspace_id, day, stage, channel, days ORDER BY 1`,
  );
  const rows = (r: { rows: { k: string }[] }) => r.rows.map((x) => x.k);
  return {
    kept: { campaigns: rows(keptCampaigns), rollup: rows(keptRollup), daily: rows(keptDaily) },
    fresh: { campaigns: rows(freshCampaigns), rollup: rows(freshRollup), daily: rows(freshDaily) },
  };
}

async function expectDimsKept() {
  const { kept, fresh } = await dimsKeptAndFresh();
  expect(kept.rollup.length).toBeGreaterThan(0);
  expect(kept).toEqual(fresh);
}

/** The campaign on a person's funnel entries (undefined without entries, an error if they differ). */
async function entryCampaign(personId: string): Promise<string | null | undefined> {
  const r = await t.db.query<{ campaign_id: string | null }>(
    'SELECT DISTINCT campaign_id FROM funnel_entries WHERE person_id = $1',
    [personId],
  );
  expect(r.rows.length).toBeLessThanOrEqual(1);
  return r.rows[0]?.campaign_id;
}

async function touch(personId: string, campaignId: string): Promise<Date | null | undefined> {
  const r = await t.db.query<{ at: Date | null }>(
    'SELECT at FROM campaign_touches WHERE person_id = $1 AND campaign_id = $2',
    [personId, campaignId],
  );
  return r.rows.length ? r.rows[0].at : undefined;
}

describe('campaign touches (kept by triggers for ROI, attribution and the campaign breakdown)', () => {
  it('follow every change to memberships, activities, people and campaigns', async () => {
    const camp = async (name: string) =>
      (
        await t.call({
          method: 'POST',
          url: '/api/v1/campaigns',
          payload: { name, channel: 'seminar', cost: 100_000 },
        })
      ).json().id as string;
    const person = async (email: string) =>
      (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email, lastName: '山田' } })).json()
        .id as string;
    const c1 = await camp('touch-1');
    const c2 = await camp('touch-2');
    const a = await person('a@touch.test');
    const b = await person('b@touch.test');

    // Invited only: reached, not touched.
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at) VALUES (1, $1, $2, 'invited', $3)`,
      [c1, a, at(0)],
    );
    expect(await touch(a, c1)).toBeNull();
    // An activity of the campaign touches; a later one does not move the first touch.
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, campaign_id, type, occurred_at) VALUES (1, $1, $2, 'email_click', $3), (1, $1, $2, 'email_open', $4)`,
      [a, c1, at(5), at(9)],
    );
    expect(await touch(a, c1)).toEqual(at(5));
    // Registering earlier than that activity makes the membership the first touch; invited again, the activity is.
    await t.db.query(
      `UPDATE campaign_members SET status = 'registered', joined_at = $3 WHERE campaign_id = $1 AND person_id = $2`,
      [c1, a, at(2)],
    );
    expect(await touch(a, c1)).toEqual(at(2));
    expect(await entryCampaign(a)).toBe(c1);
    await expectDimsKept();
    await t.db.query(
      `UPDATE campaign_members SET status = 'invited' WHERE campaign_id = $1 AND person_id = $2`,
      [c1, a],
    );
    expect(await touch(a, c1)).toEqual(at(5));
    // Deleting the earliest activity falls back to the next; deleting membership and activities removes the touch.
    await t.db.query(`DELETE FROM activities WHERE person_id = $1 AND occurred_at = $2`, [a, at(5)]);
    expect(await touch(a, c1)).toEqual(at(9));
    await t.db.query(`DELETE FROM campaign_members WHERE campaign_id = $1 AND person_id = $2`, [c1, a]);
    expect(await touch(a, c1)).toEqual(at(9));
    await t.db.query(`DELETE FROM activities WHERE person_id = $1 AND campaign_id = $2`, [a, c1]);
    expect(await touch(a, c1)).toBeUndefined();
    expect(await entryCampaign(a)).toBeNull();
    await expectDimsKept();

    // An activity of a campaign that does not exist is no touch.
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, campaign_id, type, occurred_at) VALUES (1, $1, $2, 'email_click', $3)`,
      [a, crypto.randomUUID(), at(1)],
    );
    // An anonymous visitor's campaign click becomes a touch when the visitor is identified.
    await t.db.query(
      `INSERT INTO activities (workspace_id, visitor_id, campaign_id, type, occurred_at) VALUES (1, 'v-touch-0000000000000001', $1, 'page_view', $2)`,
      [c2, at(3)],
    );
    expect(await touch(b, c2)).toBeUndefined();
    await t.db.query(`UPDATE activities SET person_id = $1 WHERE visitor_id = 'v-touch-0000000000000001'`, [
      b,
    ]);
    expect(await touch(b, c2)).toEqual(at(3));
    expect(await entryCampaign(b)).toBe(c2);

    // A merge moves b's activity and membership to a; a keeps the earliest touch of each campaign.
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at) VALUES (1, $1, $2, 'attended', $3)`,
      [c1, b, at(7)],
    );
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at) VALUES (1, $1, $2, 'member', $3)`,
      [c2, a, at(8)],
    );
    const merged = await t.call({
      method: 'POST',
      url: `/api/v1/people/${a}/merge`,
      payload: { otherId: b },
    });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(await touch(a, c1)).toEqual(at(7));
    expect(await touch(a, c2)).toEqual(at(3));
    expect(await touch(b, c2)).toBeUndefined();
    expect(await entryCampaign(a)).toBe(c2);
    await expectDimsKept();

    // Becoming an MQL after the touch is carried on the touches.
    const mql = await t.call({ method: 'POST', url: `/api/v1/people/${a}/stage`, payload: { stage: 'mql' } });
    expect(mql.statusCode, mql.body).toBeLessThan(300);
    expect(
      (
        await t.db.query(
          'SELECT last_mql_at FROM campaign_touches WHERE person_id = $1 AND last_mql_at IS NOT NULL',
          [a],
        )
      ).rows.length,
    ).toBe(2);
    expect(await keptAndFresh()).toEqual(
      await keptAndFresh().then((x) => ({ kept: x.fresh, fresh: x.fresh })),
    );
    await expectDimsKept();

    // Bulk inserts (an import), a deleted campaign and an erased person.
    const many = Array.from({ length: 50 }, (_, i) => `bulk${i}@touch.test`);
    const ids = (
      await t.db.query<{ id: string }>(
        `INSERT INTO people (workspace_id, email) SELECT 1, unnest($1::text[]) RETURNING id`,
        [many],
      )
    ).rows.map((r) => r.id);
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at)
       SELECT 1, $1, id, CASE WHEN n % 3 = 0 THEN 'invited' ELSE 'registered' END, $2 FROM unnest($3::uuid[]) WITH ORDINALITY AS u(id, n)`,
      [c2, at(4), ids],
    );
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, campaign_id, type, occurred_at)
       SELECT 1, id, $1, 'email_open', $2::timestamptz - n * interval '1 hour' FROM unnest($3::uuid[]) WITH ORDINALITY AS u(id, n)`,
      [c2, at(4), ids],
    );
    expect((await keptAndFresh()).kept.length).toBeGreaterThan(50);
    await expectDimsKept();
    await t.db.query('DELETE FROM people WHERE id = $1', [ids[0]]);
    expect(await touch(ids[0], c2)).toBeUndefined();
    // Deleting the campaign a person touched first (by an activity, which keeps the campaign id)
    // makes their next touch the first.
    const d = await person('d@touch.test');
    await t.db.query(
      `INSERT INTO activities (workspace_id, person_id, campaign_id, type, occurred_at) VALUES (1, $1, $2, 'email_click', $3)`,
      [d, c1, at(1)],
    );
    await t.db.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at) VALUES (1, $1, $2, 'registered', $3)`,
      [c2, d, at(6)],
    );
    expect(await entryCampaign(d)).toBe(c1);
    const del = await t.call({ method: 'DELETE', url: `/api/v1/campaigns/${c1}` });
    expect(del.statusCode).toBeLessThan(300);
    expect(await touch(a, c1)).toBeUndefined();
    expect(await entryCampaign(d)).toBe(c2);

    const { kept, fresh } = await keptAndFresh();
    expect(kept).toEqual(fresh);
    await expectDimsKept();
  });
});

/** The cohort rows as kept by the triggers, and as recomputed from funnel_entries and people. */
async function cohortsKeptAndFresh() {
  const row = `person_id || ' ' || inquiry_at::text || ' ' || coalesce(mql_at::text, '-') || ' ' || coalesce(sql_at::text, '-') || ' ' || coalesce(won_at::text, '-') || ' ' || stage`;
  const kept = await t.db.query<{ k: string }>(`SELECT ${row} AS k FROM funnel_people ORDER BY 1`);
  const fresh = await t.db.query<{ k: string }>(
    `SELECT ${row} AS k FROM (
       SELECT i.person_id, i.at AS inquiry_at,
              min(f.entered_at) FILTER (WHERE f.stage = 'mql') AS mql_at,
              min(f.entered_at) FILTER (WHERE f.stage = 'sql') AS sql_at,
              min(f.entered_at) FILTER (WHERE f.stage = 'won') AS won_at, p.stage
       FROM (SELECT person_id, min(entered_at) AS at FROM funnel_entries WHERE stage = 'inquiry' GROUP BY person_id) i
       JOIN people p ON p.id = i.person_id
       LEFT JOIN funnel_entries f ON f.person_id = i.person_id AND f.stage IN ('mql', 'sql', 'won') AND f.entered_at >= i.at
       GROUP BY i.person_id, i.at, p.stage
     ) x ORDER BY 1`,
  );
  // The rollup the report reads, against the kept rows.
  const rollup = await t.db.query<{ k: string }>(
    `SELECT workspace_id || ' ' || day || ' ' || stage || ' ' || mql_month || ' ' || sql_month || ' ' || won_month || ' ' || n AS k
     FROM funnel_cohort_daily WHERE n <> 0 ORDER BY 1`,
  );
  const rolled = await t.db.query<{ k: string }>(
    `SELECT workspace_id || ' ' || (inquiry_at AT TIME ZONE 'Asia/Tokyo')::date || ' ' || stage || ' ' || analytics_month_index(mql_at) || ' ' ||
            analytics_month_index(sql_at) || ' ' || analytics_month_index(won_at) || ' ' || count(*) AS k
     FROM funnel_people GROUP BY workspace_id, (inquiry_at AT TIME ZONE 'Asia/Tokyo')::date, stage, analytics_month_index(mql_at),
              analytics_month_index(sql_at), analytics_month_index(won_at) ORDER BY 1`,
  );
  expect(rollup.rows.map((r) => r.k)).toEqual(rolled.rows.map((r) => r.k));
  return { kept: kept.rows.map((r) => r.k), fresh: fresh.rows.map((r) => r.k) };
}

describe('cohort rows (kept by triggers for the cohort report)', () => {
  it('follow new people, stage changes, back-filled history, merges and deletions', async () => {
    const person = async (email: string) =>
      (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email, lastName: '佐藤' } })).json()
        .id as string;
    const stage = async (id: string, to: string) => {
      const r = await t.call({ method: 'POST', url: `/api/v1/people/${id}/stage`, payload: { stage: to } });
      expect(r.statusCode, r.body).toBeLessThan(300);
    };
    const a = await person('a@cohort.test');
    const b = await person('b@cohort.test');
    const c = await person('c@cohort.test');
    const row = async (id: string) =>
      (
        await t.db.query<{ inquiry_at: Date; mql_at: Date | null; stage: string }>(
          'SELECT inquiry_at, mql_at, stage FROM funnel_people WHERE person_id = $1',
          [id],
        )
      ).rows[0];
    expect((await row(a)).stage).toBe('inquiry');
    await stage(a, 'mql');
    expect((await row(a)).mql_at).not.toBeNull();
    expect((await row(a)).stage).toBe('mql');
    await stage(b, 'mql');
    await stage(b, 'sal');
    await stage(b, 'sql');
    // A back-filled earlier Inquiry moves the person's cohort; an MQL before it does not count as reached after it.
    await t.db.query(
      `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type) VALUES (1, $1, NULL, 'inquiry', $2, 'system'), (1, $1, 'inquiry', 'mql', $3, 'system')`,
      [c, at(10), at(-5)],
    );
    expect((await row(c)).inquiry_at).toEqual(at(10));
    expect((await row(c)).mql_at).toBeNull();
    const merged = await t.call({
      method: 'POST',
      url: `/api/v1/people/${c}/merge`,
      payload: { otherId: b },
    });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(await row(b)).toBeUndefined();
    await expectDimsKept();
    // Many people at once (a rescore qualifying leads) move in one statement.
    const d = await person('d@cohort.test');
    const e = await person('e@cohort.test');
    const moved = await changeStageMany(t.db, systemActor('scoring', 1), {
      candidates: `SELECT unnest($9::uuid[]) AS person_id, 'bulk' AS reason`,
      params: [[d, e]],
      to: 'mql',
      from: ['inquiry'],
      mover: 'system',
      actorType: 'rule',
      actorId: 'v1',
      at: new Date(),
    });
    expect(moved).toBe(2);
    expect((await row(d)).stage).toBe('mql');
    expect((await row(e)).mql_at).not.toBeNull();
    // A change of the attributes the funnel breaks down by moves the person's entries in the rollup.
    const owner = (
      await t.db.query<{ id: string }>(
        `INSERT INTO users (workspace_id, email, name, password_hash, role) VALUES (1, 'owner@cohort.test', 'Owner', 'x', 'sales') RETURNING id`,
      )
    ).rows[0].id;
    const patched = await t.call({
      method: 'PATCH',
      url: `/api/v1/people/${d}`,
      payload: { industry: '製造業', employeeCount: 300, prefecture: '東京都', ownerId: owner },
    });
    expect(patched.statusCode, patched.body).toBeLessThan(300);
    await expectDimsKept();
    // Sizes on both sides of every band boundary.
    for (const sizes of [
      [49, 50, 299, 300],
      [999, 1000, 4999, 5000],
    ]) {
      await t.db.query(
        'UPDATE people p SET employee_count = u.n FROM unnest($1::uuid[], $2::int[]) AS u(id, n) WHERE p.id = u.id',
        [[a, c, d, e], sizes],
      );
      await expectDimsKept();
    }
    const del = await t.call({ method: 'DELETE', url: `/api/v1/people/${a}` });
    expect(del.statusCode, del.body).toBeLessThan(300);
    expect(await row(a)).toBeUndefined();
    await expectDimsKept();
    const { kept, fresh } = await cohortsKeptAndFresh();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(fresh);
  });
});

describe('funnel entries after a bulk profile update (the per-person sync deferred)', () => {
  it('take the new attributes in one statement, and the rollups stay exact', async () => {
    const emails = Array.from({ length: 30 }, (_, i) => `bulk-sync${i}@sync.test`);
    const ids: string[] = [];
    for (const email of emails) {
      const r = await t.call({
        method: 'POST',
        url: '/api/v1/people',
        payload: { email, lastName: '佐藤', industry: '小売業', prefecture: '大阪府', employeeCount: 40 },
      });
      ids.push(r.json().id as string);
    }
    const entries = (industry: string) =>
      t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM funnel_entries WHERE person_id = ANY($1::uuid[]) AND industry = $2',
        [ids, industry],
      );
    expect((await entries('小売業')).rows[0].n).toBe(30);
    await expectDimsKept();

    await t.db.transaction(async (tx) => {
      await withFunnelSyncDeferred(tx, ids, async () => {
        await tx.query(
          `UPDATE people SET industry = '製造業', employee_count = 500 WHERE id = ANY($1::uuid[]) AND email LIKE 'bulk-sync1%'`,
          [ids],
        );
        // Deferred: the row trigger stood aside, the entries still hold the old value.
        const r = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM funnel_entries WHERE person_id = ANY($1::uuid[]) AND industry = '製造業'`,
          [ids],
        );
        expect(r.rows[0].n).toBe(0);
      });
    });
    // bulk-sync1, bulk-sync10 … bulk-sync19: 11 people moved, in one statement at the end.
    expect((await entries('製造業')).rows[0].n).toBe(11);
    expect((await entries('小売業')).rows[0].n).toBe(19);
    await expectDimsKept();

    // After the transaction the row trigger is back: a single update syncs by itself.
    await t.db.query(`UPDATE people SET industry = '建設業' WHERE id = $1`, [ids[0]]);
    expect((await entries('建設業')).rows[0].n).toBe(1);
    await expectDimsKept();
  });
});
