import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/team/users.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'leadflow-wizard-'));

beforeAll(async () => {
  server = await startServer();
  await createUser(server.ctx.db, 1, {
    email: 'marketer@import.test',
    password: 'import-pass-1',
    role: 'marketing',
    name: 'マーケ 太郎',
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the import wizard', () => {
  it('uploads a Shift_JIS business-card file, shows the encoding and mapping, runs it and shows the result with row errors', async () => {
    const path = join(dir, '名刺一覧.csv');
    writeFileSync(
      path,
      iconv.encode(
        '氏名,フリガナ,会社名,部署,役職,Eメール,TEL,ブース\r\n' +
          '髙橋 一郎,タカハシ イチロウ,株式会社ブラウザ①,営業部,部長,ichiro@browser.example.jp,03-1111-2222,A-1\r\n' +
          '佐藤 花子,サトウ ハナコ,株式会社ブラウザ①,総務部,課長,broken-address,03-3333-4444,B-2\r\n',
        'cp932',
      ),
    );
    const { page, context } = await newPage(browser, 'ja-JP');
    await signIn(page, server.url, 'marketer@import.test', 'import-pass-1');
    await page.click('nav.sidebar a[href="/imports"]');
    await page.setInputFiles('input[type=file]', path);
    await page.waitForSelector('[data-testid=detected-encoding]');
    expect(await page.textContent('[data-testid=detected-encoding]')).toContain('Shift_JIS (CP932)');
    const mapping = page.locator('[data-testid=mapping-table]');
    expect(await mapping.locator('tr[data-column="氏名"] select').inputValue()).toBe('fullName');
    expect(await mapping.locator('tr[data-column="Eメール"] select').inputValue()).toBe('email');
    expect(await mapping.locator('tr[data-column="TEL"] select').inputValue()).toBe('phone');
    expect(await mapping.locator('tr[data-column="ブース"] select').inputValue()).toBe('skip');
    expect(await mapping.locator('tr[data-column="氏名"] td').nth(1).textContent()).toBe('髙橋 一郎');
    // Keep the booth number as a custom field.
    await mapping.locator('tr[data-column="ブース"] select').selectOption('custom');
    await page.fill('input[name=campaign]', '展示会 2026秋');
    await page.click('[data-testid=start-import]');
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    await page.waitForSelector('[data-testid=import-status][data-status=completed]', { timeout: 30_000 });
    expect(await page.textContent('[data-count=created] .stat-value')).toBe('1');
    expect(await page.textContent('[data-count=invalid] .stat-value')).toBe('1');
    expect(await page.textContent('[data-testid=result-encoding]')).toBe('Shift_JIS (CP932)');
    const issue = page.locator('[data-testid=issues-table] tr[data-row="3"]');
    expect(await issue.textContent()).toContain('broken-address');
    // The result is a deep link that survives a reload.
    await page.reload();
    await page.waitForSelector('[data-testid=import-status][data-status=completed]');
    const person = await server.ctx.db.query<{
      last_name: string;
      company: string;
      custom_fields: Record<string, string>;
    }>(`SELECT last_name, company, custom_fields FROM people WHERE email = 'ichiro@browser.example.jp'`);
    expect(person.rows[0]).toEqual({
      last_name: '髙橋',
      company: '株式会社ブラウザ①',
      custom_fields: { ブース: 'A-1' },
    });
    expect((page as unknown as { jsErrors: string[] }).jsErrors).toEqual([]);
    await context.close();
  });
});
