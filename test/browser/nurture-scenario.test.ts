import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type TestSmtp } from '../../src/nurture/scenarios/test-support.ts';
import { closeMailTransports } from '../../src/platform/mail.ts';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let smtp: TestSmtp;
let key: string;
let segmentId: string;
let templateId: string;

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

async function until<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url } });
  await createUser(server.ctx.db, 1, {
    email: 'marketer@scenario.test',
    password: 'scenario-pass-1',
    role: 'marketing',
    name: 'マーケ 花子',
  });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  const tpl = await callApi('POST', '/api/v1/email-templates', {
    name: 'DXセミナーのご案内',
    subject: '【ご招待】製造業DXセミナー 12月開催',
    html: '<p>{{ person.lastName }} 様</p><p>製造業DXセミナーにご招待します。</p>',
  });
  expect(tpl.status, JSON.stringify(tpl.json)).toBe(201);
  templateId = tpl.json.id as string;
  await callApi('POST', '/api/v1/email-templates', {
    name: '別のテンプレート',
    subject: '別件',
    html: '<p>別件</p>',
  });
  const seg = await callApi('POST', '/api/v1/segments', {
    name: '製造業のリード',
    kind: 'dynamic',
    filter: { field: 'industry', op: 'contains', value: '製造' },
  });
  expect(seg.status, JSON.stringify(seg.json)).toBe(201);
  segmentId = seg.json.id as string;
  const camp = await callApi('POST', '/api/v1/campaigns', {
    name: '製造業DXセミナー 2026/12',
    channel: 'seminar',
  });
  expect(camp.status, JSON.stringify(camp.json)).toBe(201);
  for (const [email, lastName, industry] of [
    ['sato@maker-a.co.jp', '佐藤', '製造業'],
    ['suzuki@maker-b.co.jp', '鈴木', '精密機器製造'],
    ['tanaka@bank-c.co.jp', '田中', '金融'],
  ]) {
    const p = await callApi('POST', '/api/v1/people', { email, lastName, industry, consent: true });
    expect(p.status).toBeLessThan(300);
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  closeMailTransports();
  await smtp?.close();
});

async function pick(page: Page, testId: string, label: string) {
  await page.selectOption(`[data-testid="${testId}"]`, { label });
}

describe('a marketer builds and runs a seminar invitation in the UI', () => {
  it('builds the flow from lists, saves, activates, and the segment receives the invitation', async () => {
    const { page } = await newPage(browser, 'ja-JP');
    await signIn(page, server.url, 'marketer@scenario.test', 'scenario-pass-1');
    await page.click('nav.sidebar >> text=シナリオ');
    await page.waitForURL(/\/scenarios$/);
    await page.click('[data-testid="new-scenario"]');
    await page.waitForURL(/\/scenarios\/new$/);

    await page.fill('[data-testid="scenario-name"]', '製造業DXセミナー招待');
    await page.selectOption('[data-testid="trigger-type"]', 'segment_entered');
    await pick(page, 'trigger-segment', '製造業のリード');
    await expect.poll(() => page.textContent('[data-testid="trigger-summary"]')).toContain('製造業のリード');

    // Start → send the invitation → add to the seminar campaign (invited) → end.
    await page.selectOption('[data-testid="add-after-start-next"]', 'send_email');
    await pick(page, 'step-template', 'DXセミナーのご案内');
    await page.selectOption('[data-testid="add-after-send-email-1-next"]', 'add_to_campaign');
    await page.waitForSelector('[data-testid="step-add-to-campaign-1"]');
    expect(await page.textContent('[data-testid="step-send-email-1"]')).toContain('DXセミナーのご案内');
    expect(await page.textContent('[data-testid="step-add-to-campaign-1"]')).toContain(
      '製造業DXセミナー 2026/12',
    );

    await page.click('[data-testid="save-scenario"]');
    await page.waitForURL(/\/scenarios\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop() as string;
    await page.waitForSelector('[data-testid="scenario-status"][data-status="draft"]');
    await page.click('[data-testid="activate-scenario"]');
    await page.waitForSelector('[data-testid="scenario-status"][data-status="active"]');

    // The worker enrols the segment's two members; each gets the invitation once.
    await until(
      () => smtp.messages.length,
      (n) => n >= 2,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual([
      '【ご招待】製造業DXセミナー 12月開催',
      '【ご招待】製造業DXセミナー 12月開催',
    ]);
    expect(smtp.messages.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort()).toEqual([
      'sato@maker-a.co.jp',
      'suzuki@maker-b.co.jp',
    ]);

    // The deep link survives a reload and shows the numbers per step.
    await page.goto(`${server.url}/scenarios/${id}`);
    await until(
      async () => {
        await page.reload();
        await page.waitForSelector('[data-testid="step-send-email-1"]');
        return page.textContent('[data-testid="step-send-email-1"]');
      },
      (text) => !!text && text.includes('送信 2'),
    );
    expect(await page.textContent('[data-testid="step-send-email-1"]')).toContain('送信 2');
    expect(await page.textContent('[data-testid="total-completed"]')).toBe('2');
    const members = await server.ctx.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM campaign_members WHERE status = 'invited'`,
    );
    expect(members.rows[0].n).toBe(2);
    const s = await callApi('GET', `/api/v1/scenarios/${id}`);
    expect(s.json).toMatchObject({ status: 'active', trigger: { type: 'segment_entered', segmentId } });
    expect((s.json.steps as { templateId?: string }[])[0].templateId).toBe(templateId);
    expect((page as Page & { jsErrors: string[] }).jsErrors).toEqual([]);
  });

  it('an invalid flow shows the problem next to the step, in English too', async () => {
    const { page } = await newPage(browser, 'en-US');
    await signIn(page, server.url, 'marketer@scenario.test', 'scenario-pass-1');
    await page.goto(`${server.url}/scenarios/new`);
    await page.fill('[data-testid="scenario-name"]', 'Broken');
    await page.selectOption('[data-testid="add-after-start-next"]', 'wait');
    await page.click('[data-testid="remove-exit-1"]');
    await page.click('[data-testid="save-scenario"]');
    await page.waitForSelector('[data-testid="scenario-errors"]');
    expect(await page.textContent('[data-testid="scenario-errors"]')).toContain('steps[0].next');
    expect(await page.getAttribute('[data-testid="step-wait-1"]', 'class')).toContain('has-error');
  });
});
