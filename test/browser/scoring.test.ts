import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/platform/jobs/queue.ts';
import { DEFAULT_RULE_SET } from '../../src/scoring/default-rules.ts';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let key: string;
let personId: string;

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  server = await startServer();
  await createUser(server.ctx.db, 1, { email: 'marketer@scoring.test', password: 'scoring-pass-1', role: 'marketing', name: 'マーケ 花子' });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  await callApi('PUT', '/api/v1/scoring/rules', { ...DEFAULT_RULE_SET, comment: '初期ルール' });
  const p = await callApi('POST', '/api/v1/people', {
    email: 'kenichi.takahashi@towa-seiki.co.jp',
    lastName: '高橋',
    firstName: '健一',
    title: '情報システム部長',
    industry: '製造業',
    employeeCount: 1500,
  });
  personId = p.json.id as string;
  const day = Date.now() - 2 * 86_400_000;
  const acts = [
    ['page_view', day, { url: 'https://example.jp/pricing' }],
    ['page_view', day + 3_600_000, { url: 'https://example.jp/pricing' }],
    ['page_view', day + 7_200_000, { url: 'https://example.jp/pricing' }],
    ['content_download', day - 5 * 86_400_000, { asset: 'ホワイトペーパー' }],
    ['event_attended', day - 9 * 86_400_000, {}],
  ] as const;
  await server.ctx.db.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties)
     SELECT 1, $1, t, to_timestamp(ms / 1000.0), p::jsonb FROM unnest($2::text[], $3::float8[], $4::text[]) AS u(t, ms, p)`,
    [personId, acts.map((a) => a[0]), acts.map((a) => a[1]), acts.map((a) => JSON.stringify(a[2]))],
  );
  await enqueue(server.ctx.db, 'scoring.refresh', { personIds: [personId] });
  await until(
    () => callApi('GET', `/api/v1/people/${personId}`),
    (r) => r.json.stage === 'mql',
  );
  const run = await callApi('POST', '/api/v1/scoring/rescore');
  expect(run.status).toBe(202);
  await until(
    () => callApi('GET', `/api/v1/scoring/rescore-status?runId=${run.json.runId}`),
    (r) => r.json.status === 'done',
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the scoring page', () => {
  let page: Page;

  it('shows the active rules in a form with each rule’s reach', async () => {
    ({ page } = await newPage(browser, 'ja-JP'));
    await signIn(page, server.url, 'marketer@scoring.test', 'scoring-pass-1');
    await page.goto(`${server.url}/scoring`);
    await page.waitForSelector('[data-testid=active-version]');
    expect(await page.textContent('[data-testid=active-version]')).toContain('バージョン 1');
    const pricing = page.locator('[data-rule-id=eng-pricing]');
    expect(await pricing.locator('input[name="rule-eng-pricing-name"]').inputValue()).toBe('料金ページ閲覧');
    // Reach arrives with its own request after the rules: wait for it.
    await pricing.getByText('該当 1 人').waitFor({ timeout: 15_000 });
    expect(await pricing.textContent()).toContain('該当 1 人');
    expect((page as Page & { jsErrors: string[] }).jsErrors).toEqual([]);
  });

  it('previews a draft against the current rules and saves it with a comment as version 2', async () => {
    await page.fill('input[name=mql-engagement]', '200');
    await page.click('button[role=tab]:has-text("バックテスト")');
    await page.click('text=下書きでバックテスト');
    await page.waitForSelector('[data-metric="scoring.metric.predictedMql"] td');
    const cells = await page.locator('[data-metric="scoring.metric.predictedMql"] td').allTextContents();
    expect(cells).toEqual(['1', '0']);
    await page.fill('input[name=comment]', 'MQLの閾値を引き上げ');
    await page.click('text=保存して全員を再スコアリング');
    await page.waitForSelector('text=バージョン 2 として保存しました');
    const saved = await callApi('GET', '/api/v1/scoring/rules');
    expect(saved.json).toMatchObject({ version: 2, comment: 'MQLの閾値を引き上げ' });
  });

  it('names the rule and field of an invalid change and keeps the active version', async () => {
    await page.click('button[role=tab]:has-text("ルール")');
    await page.fill('input[name="rule-eng-pricing-points"]', '500');
    await page.click('text=保存して全員を再スコアリング');
    await page.waitForSelector('[role=alert]');
    expect(await page.textContent('[role=alert]')).toContain('rules[eng-pricing].points');
    expect((await callApi('GET', '/api/v1/scoring/rules')).json.version).toBe(2);
  });

  it('explains a lead’s score in plain language on the lead page', async () => {
    await page.goto(`${server.url}/people/${personId}`);
    const panel = page.locator('.scoring-panel');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.locator('[data-testid=fit-grade]').textContent()).toContain('A');
    expect(await panel.textContent()).toContain('料金ページ閲覧 ×3');
    await panel.locator('[data-testid=score-chart] canvas').waitFor();
  });
});
