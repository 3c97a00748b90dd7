import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let key: string;
let repId: string;
const leads: string[] = [];

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
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

const jsErrors = (page: Page) => (page as Page & { jsErrors: string[] }).jsErrors;

beforeAll(async () => {
  server = await startServer();
  repId = (
    await createUser(server.ctx.db, 1, {
      email: 'rep@handoff.test',
      password: 'handoff-pass-1',
      role: 'sales',
      name: '営業 一郎',
    })
  ).id;
  await createUser(server.ctx.db, 1, {
    email: 'boss@handoff.test',
    password: 'handoff-pass-1',
    role: 'admin',
    name: '部長 花子',
  });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  await callApi('PUT', '/api/v1/handoff/assignment-rules', {
    rules: [{ id: 'rr', name: 'ラウンドロビン', kind: 'round_robin', userIds: [repId] }],
  });
  for (const [email, last, company] of [
    ['hanako.suzuki@kansai-denki.co.jp', '鈴木', '関西電機株式会社'],
    ['jiro.tanaka@tokyo-soft.co.jp', '田中', '東京ソフト株式会社'],
  ]) {
    const p = await callApi('POST', '/api/v1/people', {
      email,
      lastName: last,
      firstName: '様',
      company,
      channel: 'webinar',
      source: 'DXウェビナー',
    });
    const id = p.json.id as string;
    await server.ctx.db.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties) VALUES (1, $1, 'content_download', now() - interval '3 days', $2)`,
      [id, JSON.stringify({ title: `${company}向け導入事例集` })],
    );
    await callApi('POST', `/api/v1/people/${id}/stage`, { stage: 'mql' });
    leads.push(id);
  }
  await until(
    () => callApi('GET', '/api/v1/handoff/summary'),
    (r) => r.json.awaiting === 2,
  );
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the sales inbox', () => {
  let page: Page;

  it('shows a rep the MQLs assigned to them, oldest first, with the SLA clock', async () => {
    ({ page } = await newPage(browser, 'ja-JP'));
    await signIn(page, server.url, 'rep@handoff.test', 'handoff-pass-1');
    await page.click('nav.sidebar >> text=受け入れ待ち');
    await page.waitForSelector('[data-testid=inbox-table]');
    const rows = page.locator('[data-testid=inbox-table] tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('data-person-id')).toBe(leads[0]);
    expect(await rows.nth(0).textContent()).toContain('関西電機株式会社');
    expect(await rows.nth(0).locator('[data-testid=sla-clock]').textContent()).toMatch(/残り/);
    expect(await page.textContent('[data-testid=awaiting-count]')).toBe('2');
  });

  it('opens a lead with its story and accepts it', async () => {
    await page.click(`[data-person-id="${leads[0]}"] >> text=鈴木 様`);
    const panel = page.locator('[data-testid=handoff-panel]');
    await panel.waitFor();
    expect(await panel.textContent()).toContain('関西電機株式会社向け導入事例集');
    expect(await panel.textContent()).toContain('ウェビナー / DXウェビナー');
    await panel.locator('[data-testid=accept]').click();
    await panel.locator('[data-testid=handoff-outcome]').waitFor();
    expect(await panel.locator('[data-testid=handoff-outcome]').textContent()).toContain('受け入れ済み');
    const person = await callApi('GET', `/api/v1/people/${leads[0]}`);
    expect(person.json).toMatchObject({ stage: 'sal', ownerId: repId });
  });

  it('rejects the other with a reason from the list, back into nurturing', async () => {
    await page.goto(`${server.url}/handoff`);
    const row = page.locator(`[data-person-id="${leads[1]}"]`);
    await row.waitFor();
    await row.locator('[data-testid=reject]').click();
    await page.locator('dialog select[name=reason]').selectOption({ label: '時期尚早' });
    await page.fill('dialog textarea[name=note]', '来年度予算で再検討');
    await page.click('[data-testid=confirm-reject]');
    await page.waitForSelector('text=受け入れ待ちのリードはありません。');
    const person = await callApi('GET', `/api/v1/people/${leads[1]}`);
    expect(person.json.stage).toBe('recycled');
  });

  it('creates a sales-generated lead that skips MQL', async () => {
    await page.click('[data-testid=new-sgl]');
    await page.fill('dialog input[name=email]', 'referral@partner.example.jp');
    await page.fill('dialog input[name=lastName]', '紹介');
    await page.fill('dialog input[name=company]', 'パートナー商事');
    await page.locator('dialog select[name=channel]').selectOption('referral');
    await page.click('[data-testid=create-sgl]');
    await page.waitForURL(/\/people\/[0-9a-f-]{36}$/);
    await page.waitForSelector('[data-testid=handoff-panel]');
    const id = page.url().split('/').pop() as string;
    expect((await callApi('GET', `/api/v1/people/${id}`)).json).toMatchObject({
      stage: 'sgl',
      ownerId: repId,
      channel: 'referral',
    });
    expect(jsErrors(page)).toEqual([]);
  });

  it('lets an admin edit the handoff settings in English, and the page survives a reload', async () => {
    const { page: admin } = await newPage(browser, 'en-US');
    await signIn(admin, server.url, 'boss@handoff.test', 'handoff-pass-1');
    await admin.goto(`${server.url}/handoff/settings`);
    await admin.waitForSelector('text=Assignment rules');
    await admin.reload();
    await admin.waitForSelector('[data-testid=assignment-rules]');
    await admin.fill('input[name=businessDays]', '3');
    await admin.click('section[aria-label="Acceptance SLA"] >> button:has-text("Save")');
    await admin.waitForSelector('section[aria-label="Acceptance SLA"] >> text=Saved');
    expect((await callApi('GET', '/api/v1/handoff/settings')).json.sla).toMatchObject({ businessDays: 3 });
    expect(jsErrors(admin)).toEqual([]);
  });
});
