import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIdentityToken } from '../../src/capture/identify.ts';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let site: Server;
let siteUrl: string;
let browser: Browser;
let key: string;
let formId: string;
let campaignId: string;

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are inspected loosely by the assertions
  return { status: r.status, json: (await r.json()) as Record<string, any> };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A customer's website on another origin (localhost vs 127.0.0.1, another port) with both script tags. */
function customerSite(leadflow: string): Server {
  const layout = (
    title: string,
    body: string,
    head = '',
  ) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${title}</title>${head}
<script async src="${leadflow}/t.js"></script></head><body><nav><a href="/">トップ</a> <a href="/product.html">製品</a> <a href="/pricing.html">料金</a> <a href="/contact.html">資料請求</a></nav>${body}</body></html>`;
  const pages: Record<string, string> = {
    '/': layout('東和クラウド | トップ', '<h1>東和クラウド</h1>'),
    '/product.html': layout('製品紹介', '<h1>製品紹介</h1>'),
    '/pricing.html': layout('料金プラン', '<h1>料金プラン</h1>'),
    '/contact.html': layout(
      '資料請求',
      `<h1>資料請求</h1><div id="form-here"><script async src="${leadflow}/f/${formId}/embed.js"></script></div><footer>フッター</footer>`,
    ),
    '/no-tracking.html': layout(
      '同意なし',
      '<h1>同意なし</h1>',
      "<script>window.leadflow=window.leadflow||[];leadflow.push(['consent',false]);</script>",
    ),
  };
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const html = pages[path];
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && path === '/thanks.html') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>thanks</title><h1>ありがとうございました</h1>');
      return;
    }
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
}

/** Every console error and uncaught exception of a page, and its requests to the collect endpoint. */
function watch(page: Page) {
  const errors: string[] = [];
  const collects: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (r.url().endsWith('/t/collect')) collects.push(r.postData() ?? '');
  });
  return { errors, collects };
}

beforeAll(async () => {
  server = await startServer();
  await createUser(server.ctx.db, 1, {
    email: 'marketer@capture.test',
    password: 'capture-pass-1',
    role: 'marketing',
    name: 'マーケ 花子',
  });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  const c = await server.ctx.db.query<{ id: string }>(
    "INSERT INTO campaigns (workspace_id, name, channel) VALUES (1, 'ホワイトペーパー資料請求', 'document_request') RETURNING id",
  );
  campaignId = c.rows[0].id;
  const form = await callApi('POST', '/api/v1/forms', {
    name: '資料請求フォーム',
    fields: [
      { key: 'lastName', label: '姓', type: 'text', required: true },
      { key: 'firstName', label: '名', type: 'text', required: true },
      { key: 'company', label: '会社名', type: 'text', required: true },
      { key: 'email', label: 'メールアドレス', type: 'email', required: true },
      { key: 'employeeCount', label: '従業員数', type: 'select', options: ['1〜49名', '1,000〜4,999名'] },
    ],
    campaignId,
    consentText: 'ご案内メールの受信に同意します',
    thankYouMessage: '資料請求ありがとうございます。',
    minFillSeconds: 1,
  });
  expect(form.status).toBe(201);
  formId = form.json.id;
  site = customerSite(server.url);
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  // "localhost" is another origin than the Leadflow server's 127.0.0.1, and another port too.
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => site?.close(() => r(undefined)));
  await server?.close();
});

describe('a visitor on the customer’s site becomes a lead with their browsing history', () => {
  it('tracks anonymous page views, then the embedded form turns the visitor into a lead with that history', async () => {
    const { context, page } = await newPage(browser, 'ja-JP');
    const seen = watch(page);
    await page.goto(`${siteUrl}/?utm_source=google&utm_medium=cpc&utm_campaign=dx`, {
      waitUntil: 'networkidle',
    });
    await page.click('text=製品');
    await page.waitForLoadState('networkidle');
    await page.click('text=料金');
    await page.waitForLoadState('networkidle');
    await page.click('nav >> text=資料請求');
    const form = page.locator(`form[data-leadflow-form="${formId}"]`);
    await form.waitFor();
    // Rendered where the script tag stands: inside #form-here, before the footer.
    expect(await page.locator('#form-here form[data-leadflow-form]').count()).toBe(1);
    expect(await form.textContent()).toContain('必須');
    const cookies = await context.cookies(siteUrl);
    const visitorId = cookies.find((c) => c.name === '_lfvid')?.value;
    expect(visitorId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.collects.length).toBe(4);

    // Server-side validation in the visitor's language first.
    await form.locator('input[name=lastName]').fill('山田');
    await form.locator('input[name=firstName]').fill('太郎');
    await form.locator('input[name=company]').fill('東和精機株式会社');
    await form.locator('input[name=email]').fill('taro.yamada@@towa-seiki');
    await page.waitForTimeout(1100);
    await form.locator('button[type=submit]').click();
    await form.locator('text=メールアドレスの形式が正しくありません。').waitFor();

    await form.locator('input[name=email]').fill('taro.yamada@towa-seiki.co.jp');
    await form.locator('select[name=employeeCount]').selectOption('1,000〜4,999名');
    await form.locator('input[name=consent]').check();
    await form.locator('button[type=submit]').click();
    await page.locator(`[data-leadflow-thanks="${formId}"]`).waitFor();
    expect(await page.textContent(`[data-leadflow-thanks="${formId}"]`)).toContain(
      '資料請求ありがとうございます。',
    );

    const people = await callApi('GET', '/api/v1/people?email=taro.yamada@towa-seiki.co.jp');
    expect(people.json.items).toHaveLength(1);
    const person = people.json.items[0];
    expect(person).toMatchObject({
      lastName: '山田',
      company: '東和精機株式会社',
      employeeCount: 1000,
      consent: true,
      stage: 'inquiry',
      source: 'google',
      channel: 'ads',
    });
    const timeline = await callApi('GET', `/api/v1/people/${person.id}/timeline`);
    const views = timeline.json.items
      .filter((i: { type: string }) => i.type === 'page_view')
      .map((i: { properties: { title: string } }) => i.properties.title);
    expect(views.sort()).toEqual(['東和クラウド | トップ', '料金プラン', '製品紹介', '資料請求'].sort());
    const submit = timeline.json.items.find((i: { type: string }) => i.type === 'form_submit');
    expect(submit).toMatchObject({ campaignId, properties: { formId, url: `${siteUrl}/contact.html` } });
    expect(seen.errors).toEqual([]);

    // Later visits land on the person's timeline directly.
    await page.click('text=料金');
    await page.waitForLoadState('networkidle');
    const after = await until(
      () => callApi('GET', `/api/v1/people/${person.id}/timeline`),
      (r) => r.json.items.filter((i: { type: string }) => i.type === 'page_view').length === 5,
    );
    expect(after.json.items.filter((i: { type: string }) => i.type === 'page_view')).toHaveLength(5);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('sends nothing for a visitor with Do-Not-Track, nor after the site switches consent off', async () => {
    const { context, page } = await newPage(browser, 'ja-JP');
    await context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }),
    );
    const seen = watch(page);
    await page.goto(`${siteUrl}/`, { waitUntil: 'networkidle' });
    await page.click('text=製品');
    await page.waitForLoadState('networkidle');
    expect(seen.collects).toEqual([]);
    expect((await context.cookies(siteUrl)).some((c) => c.name === '_lfvid')).toBe(false);
    expect(seen.errors).toEqual([]);
    await context.close();

    const second = await newPage(browser, 'ja-JP');
    const seen2 = watch(second.page);
    await second.page.goto(`${siteUrl}/no-tracking.html`, { waitUntil: 'networkidle' });
    expect(seen2.collects).toEqual([]);
    expect((await second.context.cookies(siteUrl)).some((c) => c.name === '_lfvid')).toBe(false);
    expect(seen2.errors).toEqual([]);
    await second.context.close();
  });

  it('identifies a visitor who arrives from a tracked e-mail link, and takes the token off the URL', async () => {
    const created = await callApi('POST', '/api/v1/people', {
      email: 'reader@towa-seiki.co.jp',
      lastName: '読者',
    });
    const personId = created.json.id as string;
    const { context, page } = await newPage(browser, 'ja-JP');
    const seen = watch(page);
    const token = signIdentityToken(server.ctx.secret, 1, personId);
    await page.goto(`${siteUrl}/pricing.html?utm_source=newsletter&lf_id=${encodeURIComponent(token)}`, {
      waitUntil: 'networkidle',
    });
    expect(page.url()).toBe(`${siteUrl}/pricing.html?utm_source=newsletter`);
    const timeline = await until(
      () => callApi('GET', `/api/v1/people/${personId}/timeline`),
      (r) => r.json.items.some((i: { type: string }) => i.type === 'page_view'),
    );
    const view = timeline.json.items.find((i: { type: string }) => i.type === 'page_view');
    expect(view.properties).toMatchObject({ title: '料金プラン', utm_source: 'newsletter' });
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('shows the embedded form in English to an English browser', async () => {
    const { context, page } = await newPage(browser, 'en-US');
    const seen = watch(page);
    await page.goto(`${siteUrl}/contact.html`, { waitUntil: 'networkidle' });
    const form = page.locator(`form[data-leadflow-form="${formId}"]`);
    await form.waitFor();
    expect(await form.locator('button[type=submit]').textContent()).toBe('Submit');
    expect(await form.textContent()).toContain('Required');
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});

describe('the form builder', () => {
  it('lists the form, shows a live preview and the embed code to copy', async () => {
    const { page } = await newPage(browser, 'ja-JP');
    await signIn(page, server.url, 'marketer@capture.test', 'capture-pass-1');
    await page.click('nav.sidebar >> text=フォーム');
    await page.waitForSelector('[data-testid=forms-table]');
    expect(await page.textContent('[data-testid=forms-table]')).toContain('資料請求フォーム');
    await page.click('[data-testid=forms-table] >> text=資料請求フォーム');
    await page.waitForSelector('[data-testid=embed-code]');
    expect(await page.textContent('[data-testid=embed-code]')).toBe(
      `<script async src="${server.url}/f/${formId}/embed.js"></script>`,
    );
    await page.fill('input[name="fields.0.label"]', 'お名前（姓）');
    expect(await page.textContent('[data-testid=form-preview]')).toContain('お名前（姓）');
    await page.selectOption('[data-testid=add-standard]', 'phone');
    expect(await page.textContent('[data-testid=form-preview]')).toContain('電話番号');
    await page.click('text=フォームを保存');
    await page.waitForSelector('text=保存しました');
    const saved = await callApi('GET', `/api/v1/forms/${formId}`);
    expect(saved.json.fields[0].label).toBe('お名前（姓）');
    expect(saved.json.fields.map((f: { key: string }) => f.key)).toContain('phone');
    // A deep link survives a reload, and the submissions tab lists the lead.
    await page.reload();
    await page.click('role=tab >> text=送信履歴');
    await page.waitForSelector('[data-testid=submissions-table]');
    expect(await page.textContent('[data-testid=submissions-table]')).toContain(
      'taro.yamada@towa-seiki.co.jp',
    );
    // The lead page shows what they submitted and the consent text they agreed to.
    await page.click('[data-testid=submissions-table] >> text=山田');
    const panel = page.locator('[data-testid=form-submissions-panel]');
    await panel.waitFor();
    expect(await panel.textContent()).toContain('1,000〜4,999名');
    expect(await panel.textContent()).toContain('ご案内メールの受信に同意します');
    expect((page as Page & { jsErrors: string[] }).jsErrors).toEqual([]);
  });

  it('creates a new form from the builder', async () => {
    const { page } = await newPage(browser, 'en-US');
    await signIn(page, server.url, 'marketer@capture.test', 'capture-pass-1');
    await page.goto(`${server.url}/forms/new`);
    await page.fill('input[name=name]', 'Webinar sign-up');
    await page.fill('textarea[name=consentText]', 'I agree to receive e-mails');
    expect(await page.textContent('[data-testid=form-preview]')).toContain('I agree to receive e-mails');
    await page.click('text=Save form');
    await page.waitForSelector('[data-testid=embed-code]');
    const list = await callApi('GET', '/api/v1/forms');
    expect(list.json.items.map((f: { name: string }) => f.name)).toContain('Webinar sign-up');
  });
});
