import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type TestSmtp } from '../../src/nurture/scenarios/test-support.ts';
import { closeMailTransports } from '../../src/platform/mail.ts';
import { launchBrowser, newPage, startServer, type TestServer } from '../helpers/browser.ts';

/*
 * The nurture "done when": a form submission in a real browser produces exactly one welcome
 * mail on a real SMTP server, with one-click unsubscribe that holds for the rest of the scenario.
 */

let server: TestServer;
let browser: Browser;
let smtp: TestSmtp;
const EMAIL = 'kobayashi.misaki@hokuto-kiko.co.jp';

async function until<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const mailsTo = (address: string) =>
  smtp.messages.filter((m) => m.to && 'text' in m.to && m.to.text.includes(address));

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startServer({ seed: true, env: { SMTP_URL: smtp.url } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  closeMailTransports();
  await smtp?.close();
});

describe('the demo welcome scenario, end to end', () => {
  it('a document request in Chromium sends exactly one welcome mail; one-click unsubscribe holds', async () => {
    const db = server.ctx.db;
    const form = await db.query<{ id: string; min_fill_seconds: number }>(
      `SELECT id, min_fill_seconds FROM forms WHERE name = '資料請求フォーム'`,
    );
    expect(form.rows).toHaveLength(1);
    const scenario = await db.query<{ id: string; status: string }>(
      `SELECT id, status FROM scenarios WHERE name = '資料請求ウェルカムシナリオ'`,
    );
    expect(scenario.rows[0].status).toBe('active');

    const { page } = await newPage(browser, 'ja-JP');
    await page.goto(`${server.url}/f/${form.rows[0].id}`);
    await page.fill('input[name=lastName]', '小林');
    await page.fill('input[name=firstName]', '美咲');
    await page.fill('input[name=company]', '北斗機工株式会社');
    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=title]', '生産技術部 課長');
    const consent = await page.$('input[name=consent]');
    if (consent) await consent.check();
    await page.waitForTimeout((form.rows[0].min_fill_seconds + 1) * 1000);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit], input[type=submit]')]);
    expect(await page.textContent('body')).toContain('資料請求ありがとうございます');

    // The polling worker: form.submitted → scenario trigger → welcome step → SMTP.
    await until(
      () => mailsTo(EMAIL).length,
      (n) => n >= 1,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const mails = mailsTo(EMAIL);
    expect(mails).toHaveLength(1);
    const welcome = mails[0];
    expect(welcome.subject).toBe('小林様、資料請求ありがとうございます');
    expect(welcome.html || '').toContain('北斗機工株式会社');
    const header = (name: string) =>
      welcome.headerLines
        .find((h) => h.key === name)
        ?.line.replace(/^[^:]+:\s*/, '')
        .replace(/\r?\n\s+/g, ' ');
    const listUnsubscribe = header('list-unsubscribe') ?? '';
    expect(listUnsubscribe).toMatch(/<mailto:[^>]+>/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const httpUrl = /<(https?:[^>]+)>/.exec(listUnsubscribe)?.[1] as string;
    expect(httpUrl.startsWith(server.url)).toBe(true);

    const person = await db.query<{ id: string }>('SELECT id FROM people WHERE email = $1', [EMAIL]);
    const personId = person.rows[0].id;
    const enrolment = await db.query<{ status: string; current_step: string }>(
      'SELECT status, current_step FROM scenario_enrolments WHERE scenario_id = $1 AND person_id = $2',
      [scenario.rows[0].id, personId],
    );
    expect(enrolment.rows).toEqual([{ status: 'active', current_step: 'wait-3d' }]);

    // RFC 8058 one-click: a POST with no login and no confirmation.
    const unsub = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsub.status).toBeLessThan(300);
    const after = await db.query<{ unsubscribed_at: Date | null }>(
      'SELECT unsubscribed_at FROM people WHERE id = $1',
      [personId],
    );
    expect(after.rows[0].unsubscribed_at).not.toBeNull();

    // Three days pass: the not-opened branch would send the reminder — it must not.
    await db.query(`UPDATE jobs SET run_at = now() WHERE status = 'pending' AND queue = 'scenarios.step'`);
    const done = await until(
      async () =>
        (
          await db.query<{ status: string }>(
            'SELECT status FROM scenario_enrolments WHERE scenario_id = $1 AND person_id = $2',
            [scenario.rows[0].id, personId],
          )
        ).rows[0].status,
      (s) => s !== 'active',
    );
    expect(done).toBe('completed');
    const runs = await db.query<{ step_id: string; outcome: string; reason: string | null }>(
      `SELECT step_id, outcome, detail->>'reason' AS reason FROM scenario_step_runs sr
       JOIN scenario_enrolments e ON e.id = sr.enrolment_id WHERE e.person_id = $1 ORDER BY seq`,
      [personId],
    );
    expect(runs.rows).toEqual([
      { step_id: 'welcome', outcome: 'sent', reason: null },
      { step_id: 'wait-3d', outcome: 'waited', reason: null },
      { step_id: 'opened', outcome: 'no', reason: null },
      { step_id: 'reminder', outcome: 'skipped', reason: 'unsubscribed' },
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(mailsTo(EMAIL)).toHaveLength(1);
  });
});
