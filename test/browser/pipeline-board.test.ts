import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let key: string;
let repId: string;

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function mqlLead(email: string, company: string) {
  const p = await callApi('POST', '/api/v1/people', { email, lastName: '高橋', firstName: '健一', company });
  await callApi('POST', `/api/v1/people/${p.json.id}/stage`, { stage: 'mql' });
  return p.json.id as string;
}

beforeAll(async () => {
  server = await startServer();
  const rep = await createUser(server.ctx.db, 1, {
    email: 'rep@pipeline.test',
    password: 'pipeline-pass-1',
    role: 'sales',
    name: '営業 一郎',
  });
  repId = (rep as { id: string }).id;
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  const first = await mqlLead('cio@towa-seiki.co.jp', '東和精機株式会社');
  const o = await callApi('POST', '/api/v1/opportunities', {
    personId: first,
    name: '生産管理システム刷新',
    amount: 3_000_000,
    stage: 'proposal',
    ownerId: repId,
    expectedCloseDate: '2026-12-25',
  });
  expect(o.status).toBe(201);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the pipeline page', () => {
  let page: Page;

  it('shows open deals in their sales-stage column with counts and sums, filtered by owner, and survives a reload', async () => {
    ({ page } = await newPage(browser, 'ja-JP'));
    await signIn(page, server.url, 'rep@pipeline.test', 'pipeline-pass-1');
    await page.click('nav.sidebar >> text=パイプライン');
    await page.waitForSelector('[data-testid=pipeline-board]');
    const proposal = page.locator('[data-stage=proposal]');
    await proposal.locator('text=生産管理システム刷新').waitFor();
    expect(await page.textContent('[data-testid=column-total-proposal]')).toContain('3,000,000');
    expect(await page.textContent('[data-testid=column-total-quote]')).toContain('0 件');
    await page.selectOption('select[name=ownerId]', repId);
    await page.waitForURL(/ownerId=/);
    await page.reload();
    await page.locator('[data-stage=proposal] >> text=生産管理システム刷新').waitFor();
    expect(await page.inputValue('select[name=ownerId]')).toBe(repId);
    await page.click('button[role=tab]:has-text("一覧")');
    await page.locator('table >> text=東和精機株式会社').waitFor();
    expect((page as Page & { jsErrors: string[] }).jsErrors).toEqual([]);
  });

  it('creates an opportunity from the lead page (the lead becomes SQL) and closes it won', async () => {
    const personId = await mqlLead('buyer@kansai-denki.co.jp', '関西電機株式会社');
    await page.goto(`${server.url}/people/${personId}`);
    const panel = page.locator('[data-testid=opportunities-panel]');
    await panel.locator('text=このリードの商談はまだありません').waitFor();
    await panel.locator('button:has-text("商談を作成")').click();
    await page.fill('dialog input[name=name]', '');
    await page.click('dialog button[type=submit]');
    await page.locator('dialog [role=alert]').first().waitFor();
    await page.fill('dialog input[name=name]', '工場IoT 導入');
    await page.fill('dialog input[name=amount]', '1,500,000');
    await page.selectOption('dialog select[name=stage]', 'quote');
    await page.click('dialog button[type=submit]');
    await panel.locator('text=工場IoT 導入').waitFor();
    expect((await callApi('GET', `/api/v1/people/${personId}`)).json.stage).toBe('sql');

    await panel.locator('text=工場IoT 導入').click();
    await page.waitForSelector('[data-testid=opportunity-status]');
    expect(await page.textContent('[data-testid=opportunity-amount]')).toContain('1,500,000');
    await page.click('button:has-text("受注にする")');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=opportunity-status]')?.textContent === '受注',
    );
    expect((await callApi('GET', `/api/v1/people/${personId}`)).json.stage).toBe('won');
  });

  it('needs a loss reason to close as lost, in English too', async () => {
    const personId = await mqlLead('cto@hokuriku-soft.co.jp', '北陸ソフト株式会社');
    const o = await callApi('POST', '/api/v1/opportunities', {
      personId,
      name: 'Cloud migration',
      amount: 800_000,
    });
    const en = await newPage(browser, 'en-US');
    await signIn(en.page, server.url, 'rep@pipeline.test', 'pipeline-pass-1');
    await en.page.goto(`${server.url}/opportunities/${o.json.id}`);
    await en.page.click('button:has-text("Close as lost")');
    await en.page.locator('form >> button:has-text("Close as lost")').click();
    await en.page.locator('[data-field-error=lossReason]').waitFor();
    await en.page.fill('input[name=lossReason]', '競合');
    await en.page.locator('form >> button:has-text("Close as lost")').click();
    await en.page.waitForFunction(
      () => document.querySelector('[data-testid=opportunity-status]')?.textContent === 'Lost',
    );
    expect((await callApi('GET', `/api/v1/opportunities/${o.json.id}`)).json).toMatchObject({
      status: 'lost',
      lossReason: '競合',
    });
    await en.context.close();
  });

  it('imports won/lost outcomes from an SFA CSV and lists the rows that matched nothing', async () => {
    const personId = await mqlLead('sfa.buyer@kyushu-gas.co.jp', '九州ガス株式会社');
    await page.goto(`${server.url}/pipeline`);
    await page.click('text=受注・失注の取り込み');
    await page.waitForURL(/\/pipeline\/outcomes/);
    const csv = [
      'メールアドレス,結果,金額,失注理由',
      'sfa.buyer@kyushu-gas.co.jp,受注,"2,400,000",',
      'ghost@nowhere.example,失注,,予算なし',
    ].join('\r\n');
    await page.setInputFiles('input[type=file]', {
      name: 'sfa-export.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.click('button:has-text("取り込む")');
    await page.waitForSelector('[data-testid=outcome-result]');
    expect(await page.textContent('[data-testid=outcome-result]')).toContain('新規 1');
    const problem = page.locator('[data-testid=outcome-problems] tbody tr');
    expect(await problem.count()).toBe(1);
    expect(await problem.first().textContent()).toContain('3');
    expect(await problem.first().textContent()).toContain('ghost@nowhere.example');
    expect((await callApi('GET', `/api/v1/people/${personId}`)).json.stage).toBe('won');
    await page.reload();
    await page.locator('text=sfa-export.csv').waitFor();
  });
});
