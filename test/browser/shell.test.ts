import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let key: string;
let personId: string;
let accountId: string;
let admin: Page;

const ADMIN = { email: 'admin@shell.test', password: 'shell-admin-pass' };
const VIEWER = { email: 'viewer@shell.test', password: 'shell-viewer-pass' };

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

const jsErrors = (page: Page) => (page as Page & { jsErrors: string[] }).jsErrors;

beforeAll(async () => {
  server = await startServer();
  await createUser(server.ctx.db, 1, { ...ADMIN, role: 'admin', name: '管理 太郎' });
  await createUser(server.ctx.db, 1, { ...VIEWER, role: 'viewer', name: '閲覧 花子' });
  key = (await createApiKey(server.ctx.db, 1, { name: 'shell', role: 'admin' })).key;
  const people = [
    { email: 'kenichi.takahashi@towa-seiki.co.jp', lastName: '高橋', firstName: '健一', lastNameKana: 'タカハシ', firstNameKana: 'ケンイチ', company: '東和精機株式会社' },
    { email: 'misaki.ito@towa-seiki.co.jp', lastName: '伊藤', firstName: '美咲', company: '東和精機株式会社' },
    { email: 'ryo.sato@hokuto-soft.jp', lastName: '佐藤', firstName: '亮', company: '北斗ソフト株式会社' },
  ];
  const ids: string[] = [];
  for (const p of people) ids.push((await callApi('POST', '/api/v1/people', p)).json.id as string);
  personId = ids[0];
  accountId = (await callApi('GET', `/api/v1/people/${personId}`)).json.accountId as string;
  await callApi('POST', `/api/v1/people/${ids[0]}/stage`, { stage: 'mql', reason: '展示会で名刺交換' });
  await callApi('POST', `/api/v1/people/${ids[1]}/stage`, { stage: 'mql' });
  // One MQL last month (Tokyo), so both columns carry a number.
  await server.ctx.db.query(
    `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type)
     VALUES (1, $1, 'inquiry', 'mql', date_trunc('month', now() AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo' - interval '3 days', 'system')`,
    [ids[2]],
  );
  browser = await launchBrowser();
  ({ page: admin } = await newPage(browser, 'ja-JP'));
  await signIn(admin, server.url, ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the web shell', () => {
  it('signs in, speaks Japanese to a ja browser, and remembers English after a reload', async () => {
    const { context, page } = await newPage(browser, 'ja-JP');
    await page.goto(`${server.url}/people`);
    await page.waitForURL(/\/login/);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    expect(await page.textContent('button[type=submit]')).toBe('ログイン');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]');
    expect(await page.textContent('[role=alert]')).toContain('パスワードが違います');
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('button[type=submit]');
    // Back where the user wanted to go, inside the shell with their name and role.
    await page.waitForURL(/\/people$/);
    await page.waitForSelector('nav.sidebar');
    expect(await page.textContent('[data-testid=current-user]')).toBe('管理 太郎');
    expect(await page.textContent('[data-testid=current-role]')).toBe('管理者');
    expect(await page.textContent('nav.sidebar')).toContain('ダッシュボード');

    await page.selectOption('header select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.reload();
    await page.waitForSelector('nav.sidebar');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('nav.sidebar')).toContain('Dashboard');
    expect(await page.textContent('[data-testid=current-role]')).toBe('Admin');

    await page.click('header button:has-text("Sign out")');
    await page.waitForURL(/\/login/);
    expect(jsErrors(page)).toEqual([]);
    await context.close();
  });

  it('shows English to an en browser', async () => {
    const { context, page } = await newPage(browser, 'en-US');
    await page.goto(`${server.url}/login`);
    await page.waitForSelector('button[type=submit]');
    expect(await page.textContent('button[type=submit]')).toBe('Sign in');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });

  it('shows the dashboard numbers the database holds, each linked to its people', async () => {
    const page = admin;
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=stage-table]');
    await page.waitForSelector('[data-testid=stage-chart] canvas');
    const db = server.ctx.db;
    const total = (await db.query<{ n: number }>('SELECT count(*) AS n FROM people WHERE workspace_id = 1')).rows[0].n;
    expect(await page.textContent('[data-testid=total-people]')).toBe(String(total));
    const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const counts = await db.query<{ stage: string; now: number; this_month: number; last_month: number }>(
      `WITH b AS (SELECT date_trunc('month', now() AT TIME ZONE $1) AS m)
       SELECT s.stage,
         (SELECT count(*) FROM people p WHERE p.stage = s.stage) AS now,
         (SELECT count(DISTINCT person_id) FROM stage_transitions t, b WHERE t.to_stage = s.stage
            AND t.at >= b.m AT TIME ZONE $1 AND t.at < (b.m + interval '1 month') AT TIME ZONE $1) AS this_month,
         (SELECT count(DISTINCT person_id) FROM stage_transitions t, b WHERE t.to_stage = s.stage
            AND t.at >= (b.m - interval '1 month') AT TIME ZONE $1 AND t.at < b.m AT TIME ZONE $1) AS last_month
       FROM unnest(ARRAY['inquiry','mql','sal','sgl','sql','won','lost','recycled','disqualified']) AS s(stage)`,
      [tz],
    );
    for (const c of counts.rows) {
      const row = `[data-testid=stage-table] tr[data-stage=${c.stage}]`;
      expect(await page.textContent(`${row} [data-cell=current]`)).toBe(String(c.now));
      expect(await page.textContent(`${row} [data-cell=this-month]`)).toBe(String(c.this_month));
      expect(await page.textContent(`${row} [data-cell=last-month]`)).toBe(String(c.last_month));
    }
    const mql = counts.rows.find((c) => c.stage === 'mql');
    expect(mql?.this_month).toBe(2);
    expect(mql?.last_month).toBe(1);

    // A number opens the people it counts.
    await page.click('[data-testid=stage-table] tr[data-stage=mql] [data-cell=current]');
    await page.waitForURL(/\/people\?stage=mql/);
    await page.waitForSelector('[data-testid=people-table] tbody tr');
    expect(await page.locator('[data-testid=people-table] tbody tr').count()).toBe(2);
    await page.goBack();
    await page.click('[data-testid=stage-table] tr[data-stage=mql] [data-cell=last-month]');
    await page.waitForSelector('[data-testid=entered-filter]');
    await page.waitForSelector('[data-testid=people-table] tbody tr');
    expect(await page.textContent('[data-testid=people-table] tbody')).toContain('佐藤');
    expect(jsErrors(page)).toEqual([]);
  });

  it('keeps every deep link on reload, and shows a 404 page inside the shell for unknown paths', async () => {
    const page = admin;
    const paths: [string, string][] = [
      ['/people', '[data-testid=people-table]'],
      [`/people/${personId}`, '[data-testid=lead-name]'],
      [`/accounts/${accountId}`, '[data-testid=account-name]'],
      ['/settings', '[data-testid=settings]'],
      ['/scoring', 'main.content h1'],
      ['/campaigns/00000000-0000-4000-8000-000000000001', 'main.content'],
      ['/scenarios/00000000-0000-4000-8000-000000000001', 'main.content'],
    ];
    for (const [path, selector] of paths) {
      // A fresh load of the path is exactly what a reload does.
      const res = await page.goto(`${server.url}${path}`);
      expect(res?.status(), path).toBe(200);
      await page.waitForSelector('nav.sidebar');
      await page.waitForSelector(selector);
      expect(new URL(page.url()).pathname, path).toBe(path);
    }
    await page.goto(`${server.url}/people/${personId}`);
    await page.waitForSelector('[data-testid=lead-name]');
    await page.reload();
    await page.waitForSelector('[data-testid=lead-name]');
    expect(await page.textContent('[data-testid=lead-name]')).toContain('高橋 健一');
    await page.goto(`${server.url}/accounts/${accountId}`);
    await page.waitForSelector('[data-testid=account-name]');
    expect(await page.textContent('[data-testid=account-name]')).toContain('東和精機');

    await page.goto(`${server.url}/no/such/page`);
    await page.waitForSelector('[data-testid=not-found]');
    expect(await page.textContent('[data-testid=not-found]')).toContain('ページが見つかりません');
    expect(await page.isVisible('nav.sidebar')).toBe(true);
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a viewer no write controls', async () => {
    const { context, page } = await newPage(browser, 'ja-JP');
    await signIn(page, server.url, VIEWER.email, VIEWER.password);
    expect(await page.textContent('[data-testid=current-role]')).toBe('閲覧者');
    await page.goto(`${server.url}/people`);
    await page.waitForSelector('[data-testid=people-table] tbody tr');
    expect(await page.locator('button:has-text("リードを追加")').count()).toBe(0);
    await page.goto(`${server.url}/people/${personId}`);
    await page.waitForSelector('[data-testid=person-fields]');
    await page.waitForSelector('[data-testid=timeline] li');
    expect(await page.locator('button:has-text("編集")').count()).toBe(0);
    expect(await page.locator('[data-testid=stage-card] select').count()).toBe(0);
    expect(await page.locator('button:has-text("削除")').count()).toBe(0);
    expect(await page.locator('select[name=ownerId]').count()).toBe(0);
    expect(await page.locator('a:has-text("個人データを出力")').count()).toBe(0);
    await page.goto(`${server.url}/settings`);
    await page.waitForSelector('[data-testid=settings]');
    expect(await page.locator('[role=tab]:has-text("APIキー")').count()).toBe(0);
    expect(await page.locator('[role=tab]:has-text("監査ログ")').count()).toBe(0);
    expect(await page.locator('button:has-text("ユーザーを追加")').count()).toBe(0);
    expect(jsErrors(page)).toEqual([]);
    await context.close();
  });

  it('shows a new API key once, with a copy button, and revokes it', async () => {
    const page = admin;
    await page.goto(`${server.url}/settings?tab=apiKeys`);
    await page.fill('input[name=keyName]', 'SFA連携');
    await page.selectOption('select[name=keyRole]', 'sales');
    await page.click('button:has-text("APIキーを発行")');
    await page.waitForSelector('[data-testid=new-api-key]');
    const newKey = (await page.textContent('[data-testid=new-api-key]')) as string;
    expect(await page.isVisible('[data-testid=new-key-card] button:has-text("コピー")')).toBe(true);
    const works = await fetch(`${server.url}/api/v1/people?limit=1`, { headers: { authorization: `Bearer ${newKey}` } });
    expect(works.status).toBe(200);

    await page.click('[data-testid=new-key-card] button:has-text("保管しました")');
    await page.reload();
    await page.waitForSelector('[data-testid=api-keys-table] tr[data-key-name=SFA連携]');
    expect(await page.content()).not.toContain(newKey);
    expect(await page.textContent('[data-testid=api-keys-table] tr[data-key-name=SFA連携]')).toContain('営業');

    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid=api-keys-table] tr[data-key-name=SFA連携] button:has-text("失効させる")');
    await page.waitForSelector('[data-testid=api-keys-table] tr[data-key-name=SFA連携] :text("失効済み")');
    const revoked = await fetch(`${server.url}/api/v1/people?limit=1`, { headers: { authorization: `Bearer ${newKey}` } });
    expect(revoked.status).toBe(401);

    // The audit log shows who created and revoked it.
    await page.click('[role=tab]:has-text("監査ログ")');
    await page.waitForSelector('[data-testid=audit-table] code:text("api_key.revoked")');
    expect(await page.textContent('[data-testid=audit-table]')).toContain('api_key.created');
    expect(jsErrors(page)).toEqual([]);
  });
});
