import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let key: string;
let page: Page;
let leadId: string;

const ADMIN = { email: 'admin@people.test', password: 'people-admin-pass' };

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: r.status === 204 ? {} : ((await r.json()) as Record<string, unknown>) };
}

const rows = () => page.locator('[data-testid=people-table] tbody tr');
const rowIds = async () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-person-id')));

beforeAll(async () => {
  server = await startServer();
  await createUser(server.ctx.db, 1, { ...ADMIN, role: 'admin', name: '管理 次郎' });
  key = (await createApiKey(server.ctx.db, 1, { name: 'people', role: 'admin' })).key;
  // 60 people in bulk (more than a page), then one lead made through the API.
  await server.ctx.db.query(
    `INSERT INTO people (workspace_id, email, last_name, first_name, last_name_kana, first_name_kana, company, stage, created_at)
     SELECT 1, 'bulk' || i || '@example.co.jp', '山田', '太郎' || i, 'ヤマダ', 'タロウ', '山田商事株式会社',
            CASE WHEN i % 3 = 0 THEN 'mql' ELSE 'inquiry' END, now() - make_interval(mins => i)
     FROM generate_series(1, 60) AS i`,
  );
  const lead = await callApi('POST', '/api/v1/people', {
    email: 'aya.tanaka@sakura-kogyo.co.jp',
    lastName: '田中',
    firstName: '彩',
    lastNameKana: 'タナカ',
    firstNameKana: 'アヤ',
    company: 'さくら工業株式会社',
    title: '情報システム部 課長',
  });
  leadId = lead.json.id as string;
  browser = await launchBrowser();
  ({ page } = await newPage(browser, 'ja-JP'));
  await signIn(page, server.url, ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the people list', () => {
  it('pages through everyone with a stable order, 50 at a time', async () => {
    await page.goto(`${server.url}/people`);
    await page.waitForSelector('[data-testid=people-table] tbody tr');
    expect(await rows().count()).toBe(50);
    const first = await rowIds();
    await page.click('.pager button:has-text("次へ")');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=people-table] tbody tr').length === 11);
    const second = await rowIds();
    expect(new Set([...first, ...second]).size).toBe(61);
    expect(await page.isDisabled('.pager button:has-text("次へ")')).toBe(true);
    await page.click('.pager button:has-text("前へ")');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=people-table] tbody tr').length === 50);
    expect(await rowIds()).toEqual(first);
  });

  it('filters by stage and free text through the URL, and shows kana on hover', async () => {
    await page.goto(`${server.url}/people?stage=mql`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=people-table] tbody tr').length === 20);
    const badges = await page.locator('[data-testid=people-table] [data-stage]').evaluateAll((els) => els.map((e) => e.getAttribute('data-stage')));
    expect(new Set(badges)).toEqual(new Set(['mql']));
    expect(await page.inputValue('select[name=stage]')).toBe('mql');

    await page.selectOption('select[name=stage]', '');
    await page.fill('input[name=q]', 'タナカ');
    await page.waitForURL(/q=/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=people-table] tbody tr').length === 1);
    const name = page.locator('[data-testid=people-table] .person-name');
    expect(await name.textContent()).toBe('田中 彩');
    expect(await name.getAttribute('title')).toBe('タナカ アヤ');
    expect(await page.textContent('[data-testid=people-table] tbody')).toContain('さくら工業株式会社');
    // The filter survives a reload because it lives in the URL.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=people-table] tbody tr').length === 1);
    expect(await page.inputValue('input[name=q]')).toBe('タナカ');
  });

  it('creates a person from the dialog and opens their page', async () => {
    await page.goto(`${server.url}/people`);
    await page.click('button:has-text("リードを追加")');
    await page.fill('dialog input[name=email]', 'not-an-email');
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('dialog [data-field-error=email]');
    await page.fill('dialog input[name=email]', 'hiroshi.kimura@minato-denki.co.jp');
    await page.fill('dialog input[name=lastName]', '木村');
    await page.fill('dialog input[name=firstName]', '博');
    await page.click('dialog button[type=submit]');
    await page.waitForURL(/\/people\/[0-9a-f-]{36}$/);
    await page.waitForSelector('[data-testid=lead-name]');
    expect(await page.textContent('[data-testid=lead-name]')).toContain('木村 博');
  });
});

describe('the lead page', () => {
  it('shows a validation error beside the field, then saves', async () => {
    await page.goto(`${server.url}/people/${leadId}`);
    await page.waitForSelector('[data-testid=person-fields]');
    expect(await page.getAttribute('[data-testid=lead-name]', 'title')).toBe('タナカ アヤ');
    await page.click('section[aria-label=基本情報] button:has-text("編集")');
    await page.fill('[data-testid=person-form] input[name=email]', 'aya@@broken');
    await page.fill('[data-testid=person-form] input[name=employeeCount]', '-5');
    await page.click('[data-testid=person-form] button[type=submit]');
    await page.waitForSelector('[data-testid=person-form] .field-error');
    const errors = await page.locator('[data-testid=person-form] .field-error').evaluateAll((els) => els.map((e) => e.getAttribute('data-field-error')));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((f) => f === 'email' || f === 'employeeCount')).toBe(true);
    expect((await callApi('GET', `/api/v1/people/${leadId}`)).json.email).toBe('aya.tanaka@sakura-kogyo.co.jp');

    await page.fill('[data-testid=person-form] input[name=email]', 'aya.tanaka@sakura-kogyo.co.jp');
    await page.fill('[data-testid=person-form] input[name=employeeCount]', '1200');
    await page.fill('[data-testid=person-form] input[name=title]', '情報システム部 部長');
    await page.click('[data-testid=person-form] button[type=submit]');
    await page.waitForSelector('[data-testid=person-fields] [data-field=title]:has-text("部長")');
    const saved = await callApi('GET', `/api/v1/people/${leadId}`);
    expect(saved.json.title).toBe('情報システム部 部長');
    expect(saved.json.employeeCount).toBe(1200);
  });

  it('shows a 409 clearly when the stage moved meanwhile, then changes stage with a reason', async () => {
    await page.goto(`${server.url}/people/${leadId}`);
    await page.waitForSelector('[data-testid=stage-card] select option[value=sgl]', { state: 'attached' });
    // Someone else makes the lead an MQL while this page still offers the moves from Inquiry.
    expect((await callApi('POST', `/api/v1/people/${leadId}/stage`, { stage: 'mql' })).status).toBe(200);
    await page.selectOption('[data-testid=stage-card] select', 'sgl');
    await page.click('[data-testid=stage-card] button[type=submit]');
    await page.waitForSelector('[data-testid=stage-conflict]');
    expect(await page.textContent('[data-testid=stage-conflict]')).toContain('このステージ変更はできません');
    await page.waitForSelector('[data-testid=stage-card] [data-stage=mql]');
    expect((await callApi('GET', `/api/v1/people/${leadId}`)).json.stage).toBe('mql');

    await page.waitForSelector('[data-testid=stage-card] select option[value=sal]', { state: 'attached' });
    await page.selectOption('[data-testid=stage-card] select', 'sal');
    await page.fill('[data-testid=stage-card] input[name=reason]', '予算確保済み');
    await page.click('[data-testid=stage-card] button[type=submit]');
    await page.waitForSelector('[data-testid=timeline] li:has-text("予算確保済み")');
    const entry = await page.textContent('[data-testid=timeline] li:has-text("予算確保済み")');
    expect(entry).toContain('管理 次郎');
    expect((await callApi('GET', `/api/v1/people/${leadId}`)).json.stage).toBe('sal');
  });

  it('assigns an owner and erases the person after confirmation', async () => {
    await page.goto(`${server.url}/people/${leadId}`);
    await page.waitForSelector('select[name=ownerId] option:has-text("管理 次郎")', { state: 'attached' });
    const adminId = await page.locator('select[name=ownerId] option:has-text("管理 次郎")').getAttribute('value');
    await page.selectOption('select[name=ownerId]', adminId as string);
    await expect.poll(async () => (await callApi('GET', `/api/v1/people/${leadId}`)).json.ownerId).toBe(adminId);

    await page.click('button:has-text("削除（消去）")');
    const erase = page.locator('dialog button.btn-danger');
    expect(await erase.isDisabled()).toBe(true);
    await page.fill('dialog input[name=confirmEmail]', 'aya.tanaka@sakura-kogyo.co.jp');
    await erase.click();
    await page.waitForURL(/\/people$/);
    expect((await callApi('GET', `/api/v1/people/${leadId}`)).status).toBe(404);
    expect((page as Page & { jsErrors: string[] }).jsErrors).toEqual([]);
  });
});
