import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/platform/webhook-signature.ts';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

// The receiver below listens on loopback, which webhooks refuse unless explicitly allowed.
process.env.WEBHOOKS_ALLOW_PRIVATE = '1';

let server: TestServer;
let browser: Browser;
let key: string;
let receiver: Server;
const received: { body: string; signature: string }[] = [];
let failNext = 0;

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

async function until(ok: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await ok()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['leadflow-signature']),
      });
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('down');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  server = await startServer();
  await createUser(server.ctx.db, 1, {
    email: 'admin@hooks.test',
    password: 'hooks-pass-123',
    role: 'admin',
    name: '管理 太郎',
  });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});

describe('the webhooks page', () => {
  let page: Page;
  let secret = '';

  it('refuses a non-http URL with the reason under the field, then adds an endpoint and shows its secret once', async () => {
    ({ page } = await newPage(browser, 'ja-JP'));
    await signIn(page, server.url, 'admin@hooks.test', 'hooks-pass-123');
    await page.click('nav.sidebar >> text=Webhook');
    await page.waitForSelector('text=新しい送信先');
    await page.fill('input[name=url]', 'file:///etc/passwd');
    await page.check('input[value="person.created"]');
    await page.click('button:has-text("追加")');
    await page.locator('[data-field-error=url]').waitFor();
    expect(await page.textContent('[data-field-error=url]')).toContain('http');

    const port = (receiver.address() as AddressInfo).port;
    await page.fill('input[name=url]', `http://127.0.0.1:${port}/hooks/leadflow`);
    await page.click('button:has-text("追加")');
    await page.waitForSelector('[data-testid=webhook-secret]');
    secret = (await page.textContent('[data-testid=webhook-secret] code')) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.locator('[data-testid=webhooks-table] >> text=person.created').waitFor();
    await page.reload();
    await page.locator('[data-testid=webhooks-table] >> text=person.created').waitFor();
    expect(await page.locator(`text=${secret}`).count()).toBe(0);
    expect((page as Page & { jsErrors: string[] }).jsErrors).toEqual([]);
  });

  it('logs every attempt with status code and response time, and replays a delivery', async () => {
    failNext = 1;
    await callApi('POST', '/api/v1/people', { email: 'hook.target@tohoku-kogyo.co.jp', lastName: '伊藤' });
    await until(() => received.length >= 1);
    // The first attempt failed with 500; make its retry due now instead of in 30 seconds.
    await until(async () => (await server.ctx.db.query(`SELECT 1 FROM webhook_attempts`)).rows.length >= 1);
    await server.ctx.db.query(
      `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending'`,
    );
    await server.ctx.db.query(
      `UPDATE jobs SET run_at = now() WHERE queue = 'webhooks.deliver' AND status = 'pending'`,
    );
    await until(() => received.length >= 2);
    expect(verifyWebhook(secret, received[1].body, received[1].signature, new Date())).toBe(true);

    await page.click('[data-testid=webhooks-table] a.btn:has-text("配信ログ")');
    const row = page.locator('[data-testid=deliveries-table] tbody tr').first();
    await row.locator('text=成功').waitFor({ timeout: 15_000 });
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('person.created');
    expect(text).toContain('500');
    expect(text).toContain('204');
    expect(await row.locator('[data-testid=duration]').count()).toBe(2);

    await row.locator('button:has-text("再送")').click();
    await page.waitForSelector('text=再送をキューに入れました');
    await until(() => received.length >= 3);
    expect(JSON.parse(received[2].body).id).toBe(JSON.parse(received[0].body).id);
    await page.locator('text=#1 の再送').waitFor({ timeout: 15_000 });
  });
});
