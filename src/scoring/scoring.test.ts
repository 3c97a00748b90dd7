import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import type { Db } from '../platform/db/client.ts';
import { silentLog } from '../platform/log.ts';
import { DEFAULT_RULE_SET } from './default-rules.ts';
import { scorePerson } from './evaluate.ts';
import { processRun, scoreNow } from './rescore.ts';
import type { RuleSet } from './rule-set.ts';
import { startRescore } from './store.ts';
import { addActivities, daysBefore, insertActivities, type TestActivity } from './test-fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const rules = () => t.call({ method: 'GET', url: '/api/v1/scoring/rules' });
const putRules = (body: unknown, as: 'admin' | 'marketing' | 'sales' = 'marketing') =>
  t.call({ method: 'PUT', url: '/api/v1/scoring/rules', payload: body as object, as });
const createPerson = async (payload: Record<string, unknown>) => {
  const r = await t.call({ method: 'POST', url: '/api/v1/people', payload });
  expect(r.statusCode).toBeLessThan(300);
  return r.json() as { id: string };
};

describe('rule set versions', () => {
  it('offers the default rules as version 0 before the first save, and saves them as version 1 with a comment', async () => {
    const before = (await rules()).json();
    expect(before.version).toBe(0);
    expect(before.saved).toBe(false);
    const saved = await putRules({ ...before, comment: '初期設定' });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ version: 1, created: true });
    expect((await rules()).json()).toMatchObject({ version: 1, saved: true, comment: '初期設定' });
    await t.worker.drain();
  });

  it('refuses an invalid rule set with 422 naming the rule and field, and leaves the active version untouched', async () => {
    const current = (await rules()).json();
    const bad = {
      ...current,
      mql: { any: [] },
      rules: [
        ...current.rules,
        {
          id: 'typo',
          name: '誤字',
          kind: 'engagement',
          when: { types: ['page_veiw'] },
          points: 5,
          maxCount: -1,
        },
      ],
    };
    const r = await putRules(bad);
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors).toEqual(
      expect.arrayContaining([
        { path: 'mql.any', message: expect.any(String) },
        { path: 'rules[typo].when.types[0]', message: expect.stringContaining('page_veiw') },
        { path: 'rules[typo].maxCount', message: expect.any(String) },
      ]),
    );
    expect((await rules()).json().version).toBe(1);
    const versions = (await t.call({ method: 'GET', url: '/api/v1/scoring/rules/versions' })).json();
    expect(versions.items).toHaveLength(1);
  });

  it('lets sales read but not change the rules, and answers 409 for an edit of a stale version', async () => {
    const current = (await rules()).json();
    expect((await putRules(current, 'sales')).statusCode).toBe(403);
    const stale = await putRules({ ...current, version: 0, halfLifeDays: 60 });
    expect(stale.statusCode).toBe(409);
    const same = await putRules(current);
    expect(same.json()).toMatchObject({ version: 1, created: false });
  });
});

describe('live scoring and automatic MQL', () => {
  let takahashi: string;

  it('makes the 情報システム部長 of a 1,500-person manufacturer an MQL after pricing views, a download and a webinar', async () => {
    const now = new Date();
    const p = await createPerson({
      email: 'kenichi.takahashi@towa-seiki.co.jp',
      lastName: '高橋',
      firstName: '健一',
      company: '東和精機株式会社',
      title: '情報システム部長',
      department: '情報システム部',
      industry: '製造業',
      employeeCount: 1500,
    });
    takahashi = p.id;
    await t.worker.drain();
    const afterCreate = (await t.call({ method: 'GET', url: `/api/v1/people/${p.id}` })).json();
    expect(afterCreate).toMatchObject({ fitGrade: 'A', engagementScore: 0, stage: 'inquiry' });

    const day = daysBefore(now, 3);
    await addActivities(t, p.id, [
      { type: 'page_view', occurredAt: day, properties: { url: 'https://www.leadflow.example/pricing' } },
      {
        type: 'page_view',
        occurredAt: new Date(day.getTime() + 3_600_000),
        properties: { url: 'https://www.leadflow.example/pricing' },
      },
      {
        type: 'page_view',
        occurredAt: new Date(day.getTime() + 7_200_000),
        properties: { url: 'https://www.leadflow.example/pricing#plans' },
      },
      {
        type: 'content_download',
        occurredAt: daysBefore(now, 10),
        properties: { asset: '製造業DXホワイトペーパー' },
      },
      { type: 'event_attended', occurredAt: daysBefore(now, 20), properties: { name: 'MA活用ウェビナー' } },
    ]);
    await t.worker.drain();

    const person = (await t.call({ method: 'GET', url: `/api/v1/people/${p.id}` })).json();
    expect(person.stage).toBe('mql');
    expect(person.fitGrade).toBe('A');
    expect(person.engagementScore).toBeGreaterThanOrEqual(60);

    const transitions = (await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/transitions` })).json()
      .items;
    const last = transitions[transitions.length - 1];
    expect(last).toMatchObject({ fromStage: 'inquiry', toStage: 'mql', actorType: 'rule', actorId: 'v1' });
    expect(last.reason).toContain('料金ページ閲覧 ×3');

    const events = await t.db.query<{ data: { fitGrade: string; previous: { engagementScore: number } } }>(
      `SELECT data FROM events WHERE type = 'person.score_changed' AND person_id = $1 ORDER BY id`,
      [p.id],
    );
    expect(events.rows.length).toBeGreaterThanOrEqual(2);
    expect(events.rows[events.rows.length - 1].data).toMatchObject({
      fitGrade: 'A',
      previous: { engagementScore: 0 },
    });
  });

  it('explains the score with contributions that add up exactly to both scores', async () => {
    const r = await t.call({ method: 'GET', url: `/api/v1/people/${takahashi}/score`, as: 'viewer' });
    expect(r.statusCode).toBe(200);
    const s = r.json();
    expect(s).toMatchObject({ fitGrade: 'A', ruleSetVersion: 1 });
    const sum = (kind: string) =>
      s.contributions
        .filter((c: { kind: string }) => c.kind === kind)
        .reduce((a: number, c: { points: number }) => a + c.points, 0);
    expect(sum('fit')).toBe(s.fitScore);
    expect(sum('engagement')).toBe(s.engagementScore);
    expect(s.contributions).toContainEqual({
      ruleId: 'eng-pricing',
      name: '料金ページ閲覧',
      kind: 'engagement',
      points: expect.any(Number),
      count: 3,
    });
    const history = (await t.call({ method: 'GET', url: `/api/v1/people/${takahashi}/score/history` })).json()
      .items;
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history[history.length - 1].engagementScore).toBe(s.engagementScore);
  });

  it('rescores a person whose profile changed', async () => {
    const p = await createPerson({
      email: 'promoted@towa-seiki.co.jp',
      title: '担当',
      industry: '製造業',
      employeeCount: 100,
    });
    await t.worker.drain();
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${p.id}` })).json().fitGrade).toBe('C');
    await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: '取締役' } });
    await t.worker.drain();
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${p.id}` })).json().fitGrade).toBe('B');
  });

  it('lets a recycled lead re-qualify and never re-qualifies one sales already holds', async () => {
    const now = new Date();
    const p = await createPerson({
      email: 'recycled@towa-seiki.co.jp',
      title: '情報システム部長',
      industry: '製造業',
      employeeCount: 2000,
    });
    await t.call({
      method: 'POST',
      url: `/api/v1/people/${p.id}/stage`,
      payload: { stage: 'sgl', reason: 'テレアポ' },
      as: 'sales',
    });
    await t.call({
      method: 'POST',
      url: `/api/v1/people/${p.id}/stage`,
      payload: { stage: 'recycled', reason: '時期尚早' },
      as: 'sales',
    });
    const held = await createPerson({
      email: 'held@towa-seiki.co.jp',
      title: '情報システム部長',
      industry: '製造業',
      employeeCount: 2000,
    });
    await t.call({
      method: 'POST',
      url: `/api/v1/people/${held.id}/stage`,
      payload: { stage: 'sgl' },
      as: 'sales',
    });
    const hot: TestActivity[] = [1, 2, 3].map((h) => ({
      type: 'page_view',
      occurredAt: daysBefore(now, 1, h),
      properties: { url: '/pricing' },
    }));
    hot.push(
      { type: 'event_attended', occurredAt: daysBefore(now, 2), properties: {} },
      { type: 'content_download', occurredAt: daysBefore(now, 2), properties: {} },
    );
    await addActivities(t, p.id, hot);
    await addActivities(t, held.id, hot);
    await t.worker.drain();
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${p.id}` })).json().stage).toBe('mql');
    expect((await t.call({ method: 'GET', url: `/api/v1/people/${held.id}` })).json().stage).toBe('sgl');
  });
});

describe('retroactive rescoring', () => {
  it('rescores everyone with version n+1 after a saved change, and old versions stay readable', async () => {
    const current = (await rules()).json() as RuleSet;
    const changed = {
      ...current,
      rules: current.rules.map((r) => (r.id === 'eng-pricing' ? { ...r, points: 20 } : r)),
      comment: '料金ページを重視',
    };
    const saved = await putRules(changed);
    expect(saved.json()).toMatchObject({ version: 2, created: true });
    const runId = saved.json().rescoreRunId;
    expect(
      (await t.call({ method: 'GET', url: `/api/v1/scoring/rescore-status?runId=${runId}` })).json().status,
    ).toBe('pending');
    await t.worker.drain();
    const status = (await t.call({ method: 'GET', url: '/api/v1/scoring/rescore-status' })).json();
    expect(status).toMatchObject({ version: 2, processed: status.total });
    // Everyone was scored with version 2 (the explanation's version); people carries the version
    // that last changed each score, so where version 2 changed nothing it keeps version 1.
    const versions = await t.db.query<{ v: number | null; n: number }>(
      'SELECT s.version AS v, count(*)::int AS n FROM people p LEFT JOIN person_scores s ON s.person_id = p.id GROUP BY s.version',
    );
    expect(versions.rows).toEqual([{ v: 2, n: expect.any(Number) }]);
    const changedBy = await t.db.query<{ ok: boolean }>(
      `SELECT bool_and(p.score_version = 2 OR h.version = 1) AS ok FROM people p
       LEFT JOIN LATERAL (SELECT version FROM score_history WHERE person_id = p.id ORDER BY at DESC, id DESC LIMIT 1) h ON true`,
    );
    expect(changedBy.rows[0].ok).toBe(true);
    const p = (await t.call({ method: 'GET', url: '/api/v1/people?q=takahashi' })).json().items[0];
    const score = (await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/score` })).json();
    expect(score.ruleSetVersion).toBe(2);
    expect(
      score.contributions.find((c: { ruleId: string }) => c.ruleId === 'eng-pricing').points,
    ).toBeGreaterThan(50);
    const v1 = (await t.call({ method: 'GET', url: '/api/v1/scoring/rules/versions/1' })).json();
    expect(v1.rules.find((r: { id: string }) => r.id === 'eng-pricing').points).toBe(10);
    const reach = (await t.call({ method: 'GET', url: '/api/v1/scoring/reach' })).json();
    expect(reach.version).toBe(2);
    expect(reach.reach['eng-pricing']).toBe(3);
  });

  /** The test database, as a worker that is killed when it opens its `n`th transaction. */
  const crashingAt = (n: number): Db => {
    let transactions = 0;
    return {
      ...t.db,
      query: t.db.query.bind(t.db),
      transaction: (fn) => {
        transactions += 1;
        if (transactions === n) throw new Error('worker killed');
        return t.db.transaction(fn);
      },
    } as Db;
  };

  it('resumes a rescore interrupted by a crash, never showing a mix of versions as final', async () => {
    const version = 2;
    const runId = await t.db.transaction((tx) => startRescore(tx, 1, version, 'manual', new Date()));
    await t.db.query(`UPDATE person_scores SET version = 1`);
    // One lane: start, chunk, check, chunk, then the crash.
    const crashing = crashingAt(5);
    await expect(processRun(crashing, silentLog, runId, 2, 1)).rejects.toThrow('worker killed');
    const midway = await t.db.query<{ status: string; processed: number }>(
      'SELECT status, processed FROM scoring_runs WHERE id = $1',
      [runId],
    );
    expect(midway.rows[0]).toEqual({ status: 'running', processed: 4 });
    const visible = await t.db.query<{ v: number }>('SELECT DISTINCT version AS v FROM person_scores');
    expect(visible.rows).toEqual([{ v: 1 }]);
    const done = await processRun(t.db, silentLog, runId, 2, 1);
    expect(done?.status).toBe('done');
    const after = await t.db.query<{ v: number }>('SELECT DISTINCT version AS v FROM person_scores');
    expect(after.rows).toEqual([{ v: 2 }]);
    const staged = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scoring_staged_scores');
    expect(staged.rows[0].n).toBe(0);
  });

  it('stages lanes side by side and resumes them all after a crash', async () => {
    const version = 2;
    await t.db.query(`UPDATE person_scores SET version = 1`);
    const runId = await t.db.transaction((tx) => startRescore(tx, 1, version, 'manual', new Date()));
    // Start, then one chunk in each of three lanes, then the crash at the next check.
    const crashing = crashingAt(5);
    await expect(processRun(crashing, silentLog, runId, 1, 3)).rejects.toThrow('worker killed');
    const lanes = await t.db.query<{ lane: number; lo: string; hi: string | null; staged: boolean }>(
      'SELECT lane, lo, hi, cursor IS NOT NULL OR done AS staged FROM scoring_run_lanes WHERE run_id = $1 ORDER BY lane',
      [runId],
    );
    expect(lanes.rows.map((l) => [l.lo, l.hi])).toEqual([
      ['00000000-0000-0000-0000-000000000000', '55555555-0000-0000-0000-000000000000'],
      ['55555555-0000-0000-0000-000000000000', 'aaaaaaaa-0000-0000-0000-000000000000'],
      ['aaaaaaaa-0000-0000-0000-000000000000', null],
    ]);
    expect(lanes.rows.every((l) => l.staged)).toBe(true);
    expect((await t.db.query<{ v: number }>('SELECT DISTINCT version AS v FROM person_scores')).rows).toEqual(
      [{ v: 1 }],
    );
    const done = await processRun(t.db, silentLog, runId, 1, 3);
    expect(done?.status).toBe('done');
    const total = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM people')).rows[0].n;
    expect(done?.processed).toBe(total);
    expect((await t.db.query<{ v: number }>('SELECT DISTINCT version AS v FROM person_scores')).rows).toEqual(
      [{ v: 2 }],
    );
  });
});

describe('the compiled SQL', () => {
  it('gives exactly the scores of the pure evaluation on a varied fixture', async () => {
    const now = new Date('2026-11-20T09:00:00Z');
    const campaign = await t.db.query<{ id: string }>(
      `INSERT INTO campaigns (workspace_id, name, channel) VALUES (1, '秋のウェビナー', 'webinar') RETURNING id`,
    );
    const set: RuleSet = {
      ...structuredClone(DEFAULT_RULE_SET),
      version: 99,
      halfLifeDays: 45,
      rules: [
        ...structuredClone(DEFAULT_RULE_SET).rules,
        {
          id: 'cf-plan',
          name: 'plan',
          kind: 'fit',
          when: { field: 'customFields.plan', op: 'in', values: ['enterprise'] },
          points: 7,
        },
        {
          id: 'cf-seats',
          name: 'seats',
          kind: 'fit',
          when: { field: 'customFields.seats', op: 'between', min: 10, max: 500 },
          points: 4,
        },
        {
          id: 'no-country',
          name: 'no country',
          kind: 'fit',
          when: { field: 'country', op: 'notExists' },
          points: 1,
        },
        {
          id: 'camp',
          name: 'campaign',
          kind: 'engagement',
          when: {
            types: ['event_registered', 'event_attended'],
            campaignId: campaign.rows[0].id,
            withinDays: 60,
          },
          points: 9,
          perPeriod: { max: 1, days: 7 },
          halfLifeDays: 10,
        },
        {
          id: 'asset',
          name: 'asset',
          kind: 'engagement',
          when: { types: ['content_download'], asset: '*ホワイト*' },
          points: 6,
          maxCount: 2,
        },
        {
          id: 'prop',
          name: 'prop',
          kind: 'engagement',
          when: { types: ['form_submit'], properties: { form: 'demo' } },
          points: 12,
        },
      ],
    };
    const titles = ['情報システム部長', '代表取締役社長', '課長', '学生', null, 'Marketing Manager'];
    const industries = ['製造業', '情報通信業', '小売業', null];
    const types = [
      'page_view',
      'email_open',
      'email_click',
      'content_download',
      'event_attended',
      'event_registered',
      'form_submit',
      'unsubscribe',
      'email_bounce',
    ];
    const urls = ['/pricing', '/careers', '/blog/a', '/products/x/pricing', '/recruit'];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await t.db.query<{ id: string }>(
        `INSERT INTO people (workspace_id, email, title, industry, employee_count, prefecture, custom_fields)
         VALUES (1, $1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          i === 0 ? 'spy@rival-ma.co.jp' : `fixture${i}@example${i % 5}.jp`,
          pick(titles),
          pick(industries),
          pick([null, 40, 120, 300, 999, 1000, 5000]),
          pick(['東京都', '北海道', null]),
          JSON.stringify(
            pick([{}, { plan: 'Enterprise', seats: 20 }, { plan: 'free', seats: '600' }, { seats: 'many' }]),
          ),
        ],
      );
      ids.push(r.rows[0].id);
      const acts = Array.from({ length: Math.floor(rnd() * 40) }, () => ({
        type: pick(types),
        occurredAt: new Date(
          now.getTime() - Math.floor(rnd() * 200 * 86_400_000) + (rnd() < 0.05 ? 86_400_000 : 0),
        ),
        properties: {
          url: `https://x.jp${pick(urls)}`,
          asset: pick(['ホワイトペーパーA', '事例集']),
          form: pick(['demo', 'contact']),
        },
        campaignId: rnd() < 0.5 ? campaign.rows[0].id : null,
      }));
      await insertActivities(t, r.rows[0].id, acts);
    }
    const fromSql = await scoreNow(t.db, set, 1, ids, now);
    expect(fromSql).toHaveLength(ids.length);
    for (const row of fromSql) {
      const person = (
        await t.db.query<Record<string, unknown>>('SELECT * FROM people WHERE id = $1', [row.person_id])
      ).rows[0];
      const acts = (
        await t.db.query<{
          type: string;
          occurred_at: Date;
          properties: Record<string, unknown>;
          campaign_id: string | null;
        }>('SELECT type, occurred_at, properties, campaign_id FROM activities WHERE person_id = $1', [
          row.person_id,
        ])
      ).rows.map((a) => ({
        type: a.type,
        occurredAt: a.occurred_at,
        properties: a.properties,
        campaignId: a.campaign_id,
      }));
      const pure = scorePerson(
        set,
        {
          email: person.email as string,
          title: person.title as string | null,
          industry: person.industry as string | null,
          employeeCount: person.employee_count as number | null,
          prefecture: person.prefecture as string | null,
          country: person.country as string | null,
          customFields: person.custom_fields as Record<string, unknown>,
        },
        acts,
        now,
      );
      expect({
        id: row.person_id,
        fit: row.fit_score,
        grade: row.fit_grade,
        eng: row.engagement_score,
        mql: row.mql,
        c: row.contributions,
      }).toEqual({
        id: row.person_id,
        fit: pure.fitScore,
        grade: pure.fitGrade,
        eng: pure.engagementScore,
        mql: pure.mql,
        c: pure.contributions.map((c) => ({ ruleId: c.ruleId, points: c.points, count: c.count })),
      });
    }
    const withEngagement = fromSql.filter((r) => r.engagement_score !== 0).length;
    expect(withEngagement).toBeGreaterThan(10);
  });
});
