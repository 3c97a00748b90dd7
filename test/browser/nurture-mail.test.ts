import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let key: string;
let shared: { context: import('playwright-core').BrowserContext; page: Page } | undefined;

async function callApi(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, unknown> };
}

/** 24 leads: every third viewed /pricing three times this month; every fourth is an MQL. */
const LEADS = Array.from({ length: 24 }, (_, i) => ({
  email: `lead${i}@maker${i}.co.jp`,
  lastName: ['佐藤', '鈴木', '高橋', '田中'][i % 4],
  company: i === 0 ? '<script>window.__pwned=1</script>株式会社' : `株式会社メーカー${i}`,
  pricing: i % 3 === 0,
  mql: i % 4 === 0,
}));

beforeAll(async () => {
  server = await startServer();
  await createUser(server.ctx.db, 1, {
    email: 'marketer@mail.test',
    password: 'mail-pass-123',
    role: 'marketing',
    name: 'マーケ 花子',
  });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  for (const l of LEADS) {
    const p = await callApi('POST', '/api/v1/people', {
      email: l.email,
      lastName: l.lastName,
      company: l.company,
      consent: true,
    });
    const id = p.json.id as string;
    if (l.mql) await server.ctx.db.query(`UPDATE people SET stage = 'mql' WHERE id = $1`, [id]);
    if (l.pricing) {
      await server.ctx.db.query(
        `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties)
         SELECT 1, $1, 'page_view', now() - make_interval(days => d), '{"url":"https://example.jp/pricing"}' FROM unnest(ARRAY[1, 5, 9]) AS d`,
        [id],
      );
    }
  }
  browser = await launchBrowser();
  const { context, page } = await newPage(browser, 'ja-JP');
  await signIn(page, server.url, 'marketer@mail.test', 'mail-pass-123');
  shared = { context, page };
}, 120_000);

afterAll(async () => {
  await shared?.context.close();
  await browser?.close();
  await server?.close();
});

async function liveCount(page: Page, expected: number): Promise<void> {
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid=live-count]')?.textContent?.replace(/[^0-9]/g, '') === String(n),
    expected,
    { timeout: 15_000 },
  );
}

describe('segment editor', () => {
  it('builds "viewed pricing twice in 30 days and not MQL" without JSON, with a live count and sample, and keeps it after reload', async () => {
    const { page } = shared as NonNullable<typeof shared>;
    await page.click('nav.sidebar >> text=セグメント');
    await page.waitForURL(/\/segments$/);
    await page.click('[data-testid=new-segment]');
    await page.fill('[data-testid=segment-name]', '料金ページ閲覧・未MQL');
    await page.click('[data-testid=create-segment]');
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);

    // The starting condition is "stage is any of inquiry, mql": everyone here.
    await liveCount(page, LEADS.length);

    // Turn the first condition into "stage is MQL", negated.
    const first = page.locator('[data-testid=filter-leaf]').first();
    await first.locator('[data-testid=op-select]').selectOption('eq');
    await first.locator('[data-testid=value-select]').selectOption('mql');
    await liveCount(page, LEADS.filter((l) => l.mql).length);
    await first.locator('[data-testid=not-toggle]').check();
    await liveCount(page, LEADS.filter((l) => !l.mql).length);

    // Add "page view, URL contains /pricing, at least 2 times within 30 days".
    await page.click('[data-testid=add-condition]');
    const second = page.locator('[data-testid=filter-leaf]').nth(1);
    await second.locator('[data-testid=leaf-kind]').selectOption('activity');
    await second.locator('[data-testid=activity-type]').selectOption('page_view');
    await second.locator('[data-testid=activity-url]').fill('/pricing');
    await second.locator('[data-testid=activity-min]').fill('2');
    const expected = LEADS.filter((l) => l.pricing && !l.mql).length;
    await liveCount(page, expected);
    expect(await page.locator('[data-testid=live-sample] li').count()).toBe(Math.min(10, expected));

    await page.click('[data-testid=save-segment]');
    await page.waitForSelector('.alert-success');
    const url = page.url();
    await page.reload();
    await page.waitForURL(url);
    await liveCount(page, expected);
    expect(await page.locator('[data-testid=filter-leaf]').count()).toBe(2);
    expect(await page.locator('[data-testid=activity-url]').inputValue()).toBe('/pricing');

    // The saved segment answers the same through the API.
    const id = url.split('/').pop() as string;
    const people = await callApi('GET', `/api/v1/segments/${id}/people?limit=100`);
    expect((people.json.items as unknown[]).length).toBe(expected);
  });

  it('shows lead values as text in the sample, never as markup', async () => {
    const { page } = shared as NonNullable<typeof shared>;
    const seg = await callApi('POST', '/api/v1/segments', {
      name: 'Pricing viewers',
      filter: { activity: { type: 'page_view', urlContains: 'pricing', min: 3 } },
    });
    await page.goto(`${server.url}/segments/${seg.json.id}`);
    await liveCount(page, LEADS.filter((l) => l.pricing).length);
    await page.waitForSelector('text=<script>window.__pwned=1</script>株式会社');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('a bad condition shows the problem instead of a count', async () => {
    const { page } = shared as NonNullable<typeof shared>;
    const seg = await callApi('POST', '/api/v1/segments', {
      name: 'Custom budget',
      filter: { field: 'customFields.budget', op: 'gte', value: 100 },
    });
    await page.goto(`${server.url}/segments/${seg.json.id}`);
    await liveCount(page, 0);
    await page.locator('[data-testid=filter-leaf] input[aria-label="カスタム項目名"]').fill('');
    await page.waitForSelector('[data-testid=filter-errors]');
    expect(await page.textContent('[data-testid=filter-errors]')).toContain('filter.field');
  });
});

describe('e-mail template editor', () => {
  it('previews for a chosen person, refuses a Liquid error at save, and a test send lands in the outbox', async () => {
    const tpl = await callApi('POST', '/api/v1/email-templates', {
      name: 'セミナー招待',
      subject: "{{ person.lastName | default: 'ご担当者' }} 様：セミナーのご案内",
      html: '<p>{{ person.company }}</p><p><a href="https://example.jp/s">申し込む</a></p>',
    });
    const { page } = shared as NonNullable<typeof shared>;
    await page.goto(`${server.url}/emails/${tpl.json.id}`);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=preview-subject]')?.textContent === '山田 様：セミナーのご案内',
    );
    await page.fill('[data-testid=preview-search]', 'maker3');
    await page.waitForSelector('[data-testid=preview-person] option:nth-child(2)', { state: 'attached' });
    const option = await page.locator('[data-testid=preview-person] option').nth(1).getAttribute('value');
    await page.selectOption('[data-testid=preview-person]', option as string);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=preview-subject]')?.textContent === '田中 様：セミナーのご案内',
    );

    await page.fill('[data-testid=tpl-html]', '<p>{% if person.company %}閉じていない</p>');
    await page.click('[data-testid=save-template]');
    await page.waitForSelector('[data-field-error=html]');
    expect(await page.textContent('[data-field-error=html]')).toContain('Liquid');

    await page.fill('[data-testid=test-to]', 'me@mail.test');
    await page.click('[data-testid=test-send]');
    // The link to the message appears with the success notice; the navigation has one of the same name.
    await page.click('.alert-success >> text=送信ログ');
    await page.waitForSelector('[data-testid=message-subject]');
    expect(await page.textContent('[data-testid=message-subject]')).toBe('[TEST] 山田 様：セミナーのご案内');
    await page.goto(`${server.url}/outbox`);
    await page.waitForSelector('[data-testid=outbox-table] >> text=me@mail.test');
  });
});
