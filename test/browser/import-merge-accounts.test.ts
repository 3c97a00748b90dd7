import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/team/api-keys.ts';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let key: string;

async function post(path: string, body: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await r.json()) as { id: string; accountId: string };
}

beforeAll(async () => {
  server = await startServer();
  await createUser(server.ctx.db, 1, {
    email: 'marketer@merge.test',
    password: 'merge-pass-1',
    role: 'marketing',
    name: 'マーケ',
  });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('duplicates and accounts', () => {
  it('merges a duplicate from the lead page, and shows the account in the list with its activity', async () => {
    const keep = await post('/api/v1/people', {
      email: 'hanako@merge-kk.example.jp',
      lastName: '佐藤',
      firstName: '花子',
      company: 'マージ株式会社',
    });
    const dup = await post('/api/v1/people', {
      email: 'hanako.sato@gmail.com',
      lastName: '佐藤',
      firstName: '花子',
      phone: '090-1234-5678',
    });
    await server.ctx.db.query(
      `INSERT INTO activities (workspace_id, person_id, type, properties) VALUES (1, $1, 'form_submit', '{}')`,
      [dup.id],
    );

    const { page, context } = await newPage(browser, 'ja-JP');
    await signIn(page, server.url, 'marketer@merge.test', 'merge-pass-1');
    await page.goto(`${server.url}/people/${keep.id}`);
    await page.waitForSelector('[data-testid=merge-panel]', { timeout: 60_000 });
    const panel = page.locator('[data-testid=merge-panel]');
    await panel.locator('input[name=merge-search]').fill('hanako.sato');
    await panel.locator('button', { hasText: '選ぶ' }).first().click();
    await panel.locator('button', { hasText: '統合する' }).click();
    await panel.locator('[role=status]').waitFor();
    expect(await panel.locator('[role=status]').textContent()).toContain('統合しました');
    const merged = await server.ctx.db.query('SELECT phone FROM people WHERE id = $1', [keep.id]);
    expect(merged.rows).toEqual([{ phone: '090-1234-5678' }]);
    expect((await server.ctx.db.query('SELECT 1 FROM people WHERE id = $1', [dup.id])).rows).toHaveLength(0);

    await page.click('nav.sidebar a[href="/accounts"]');
    await page.waitForSelector('[data-testid=accounts-table] a');
    expect(await page.textContent('[data-testid=accounts-table]')).toContain('マージ株式会社');
    await page.click('[data-testid=accounts-table] a[href$="/activity"]');
    await page.waitForSelector('[data-testid=account-activity] tbody tr');
    expect(await page.textContent('[data-testid=account-activity]')).toContain('フォーム送信');
    await page.reload();
    await page.waitForSelector('[data-testid=account-activity-title]');
    expect((page as unknown as { jsErrors: string[] }).jsErrors).toEqual([]);
    await context.close();
  });
});
