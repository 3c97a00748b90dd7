import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from '../../src/demo/seed.ts';
import { createApiKey } from '../../src/team/api-keys.ts';
import { launchBrowser, newPage, signIn, startServer, type TestServer } from '../helpers/browser.ts';

/**
 * On the demo data, a marketing manager answers in the UI: which channel brought the most won
 * revenue last quarter under W-shaped attribution, where between MQL and SQL leads stall, and
 * whether this month's MQL target will be met — and drills from a number down to the leads.
 */

let server: TestServer;
let browser: Browser;
let page: Page;
let key: string;

async function get<T>(path: string): Promise<T> {
  const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as T;
}

/** Last quarter as the page's preset computes it (days in Japan). */
function lastQuarter(): { from: string; to: string } {
  const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
  const y = Number(today.slice(0, 4));
  const q = Math.floor((Number(today.slice(5, 7)) - 1) / 3);
  const day = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm - 1, dd)).toISOString().slice(0, 10);
  return { from: day(y, q * 3 - 2, 1), to: day(y, q * 3 + 1, 0) };
}

beforeAll(async () => {
  server = await startServer({ seed: true });
  key = (await createApiKey(server.ctx.db, 1, { name: 'browser', role: 'admin' })).key;
  browser = await launchBrowser();
  ({ page } = await newPage(browser, 'ja-JP'));
  // The demo's background jobs (rescoring, scenarios) share the embedded database at first.
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(120_000);
  await signIn(page, server.url, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD);
}, 480_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the funnel page', () => {
  it('draws the waterfall with conversion between stages, and the numbers match the API', async () => {
    await page.click('nav.sidebar >> text=ファネル分析');
    await page.waitForSelector('[data-testid=funnel-chart] canvas');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/funnel');
    await page.waitForSelector('[data-testid=count-mql]');
    const from = await page.inputValue('input[name=from]');
    const to = await page.inputValue('input[name=to]');
    const api = await get<{ stages: { stage: string; count: number; conversion: number | null }[] }>(`/api/v1/funnel?from=${from}&to=${to}`);
    const mql = api.stages.find((s) => s.stage === 'mql');
    expect(mql && mql.count).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=count-mql]')).toBe(mql?.count.toLocaleString('ja-JP'));
    const arrows = await page.textContent('[data-testid=funnel-arrows]');
    expect(arrows).toContain(`${((mql?.conversion ?? 0) * 100).toFixed(1)}%`);
    expect((page as Page & { jsErrors: string[] }).jsErrors).toEqual([]);
  });

  it('drills from a stage down to the leads behind it, and on to a lead', async () => {
    await page.click('[data-testid=count-mql]');
    const panel = page.locator('[data-testid=funnel-people]');
    await panel.locator('tbody tr').first().waitFor();
    const rows = await panel.locator('tbody tr').count();
    const mql = Number((await page.textContent('[data-testid=count-mql]'))?.replace(/,/g, ''));
    expect(rows).toBe(Math.min(mql, 100));
    // The drill-down is in the address: a reload shows the same list.
    expect(new URL(page.url()).searchParams.get('stage')).toBe('mql');
    await page.reload();
    await page.locator('[data-testid=funnel-people] tbody tr').first().waitFor();
    const link = page.locator('[data-testid=funnel-people] tbody tr a').first();
    const personId = await page.locator('[data-testid=funnel-people] tbody tr').first().getAttribute('data-person-id');
    await link.click();
    await page.waitForURL(`**/people/${personId}`);
  });

  it('shows where between MQL and SQL leads stall: the slowest step by median days, and who is sitting there now', async () => {
    await page.goto(`${server.url}/funnel`);
    await page.waitForSelector('[data-testid=stall]');
    const from = await page.inputValue('input[name=from]');
    const to = await page.inputValue('input[name=to]');
    const api = await get<{ stages: { stage: string; medianDays: number | null }[] }>(`/api/v1/funnel?from=${from}&to=${to}`);
    const slowest = api.stages.filter((s) => ['mql', 'sal', 'sgl'].includes(s.stage) && s.medianDays !== null).sort((a, b) => (b.medianDays ?? 0) - (a.medianDays ?? 0))[0];
    const stall = await page.textContent('[data-testid=stall]');
    expect(stall).toContain(`${slowest.medianDays}日`);
    expect(stall).toContain(slowest.stage.toUpperCase());
    const aging = await get<{ stages: { stage: string; people: number }[] }>('/api/v1/funnel/aging');
    const sal = page.locator('[data-testid=velocity] tr[data-stage=sal] td');
    expect(await sal.nth(2).textContent()).toBe(String(aging.stages.find((s) => s.stage === 'sal')?.people));
  });

  it('breaks the funnel down by channel and exports it as CSV with a BOM', async () => {
    await page.selectOption('select[name=by]', 'channel');
    await page.waitForSelector('[data-testid=breakdown] tbody tr');
    expect(await page.locator('[data-testid=breakdown] tbody tr').count()).toBeGreaterThan(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=breakdown] [data-testid^=csv-]')]);
    const csv = readFileSync((await download.path()) as string);
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.toString('utf8')).toContain('チャネル');
    await page.waitForSelector('[data-testid=cohorts] tbody tr');
  });
});

describe('campaigns and ROI', () => {
  it('answers which channel brought the most won revenue last quarter under W-shaped attribution', async () => {
    await page.click('nav.sidebar >> text=キャンペーン');
    await page.waitForSelector('[data-testid=campaign-table] tbody tr');
    await page.selectOption('select[name=model]', 'w_shaped');
    await page.click('[data-preset=lastQuarter]');
    const { from, to } = lastQuarter();
    await page.waitForURL((u) => u.searchParams.get('from') === from);
    const api = await get<{ channels: { channel: string; attributedRevenue: number }[] }>(`/api/v1/campaigns/roi?model=w_shaped&from=${from}&to=${to}`);
    await page.waitForSelector(`[data-testid=channel-revenue] tr[data-channel="${api.channels[0].channel}"]`);
    const first = page.locator('[data-testid=channel-revenue] tbody tr').first();
    expect(await first.getAttribute('data-channel')).toBe(api.channels[0].channel);
    expect(api.channels[0].attributedRevenue).toBeGreaterThan(0);
  });

  it('sorts the campaign table by ROI, with campaigns that cost nothing shown as not applicable at the end', async () => {
    await page.goto(`${server.url}/campaigns?model=w_shaped`);
    await page.waitForSelector('[data-testid=campaign-table] tbody tr');
    const cells = await page.locator('[data-testid=campaign-table] td[data-testid=roi]').allTextContents();
    const values = cells.map((c) => (c === '該当なし' ? null : Number(c.replace(/[%,]/g, ''))));
    const numbers = values.filter((v): v is number => v !== null);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(values.indexOf(null) === -1 || values.slice(values.indexOf(null)).every((v) => v === null)).toBe(true);
    expect(cells.some((c) => /Infinity|NaN/.test(c))).toBe(false);
    await page.click('th[data-sort=roi]');
    const asc = (await page.locator('[data-testid=campaign-table] td[data-testid=roi]').allTextContents()).filter((c) => c !== '該当なし').map((c) => Number(c.replace(/[%,]/g, '')));
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
  });

  it('opens a campaign by its deep link, also after a reload, with its ROI under every model and its members', async () => {
    const campaigns = await get<{ items: { id: string; name: string }[] }>('/api/v1/campaigns');
    const c = campaigns.items[0];
    await page.goto(`${server.url}/campaigns/${c.id}`);
    await page.reload();
    await page.waitForSelector('[data-testid=campaign-name]');
    expect(await page.textContent('[data-testid=campaign-name]')).toBe(c.name);
    await page.waitForSelector('[data-testid=campaign-roi] tr[data-model=w_shaped] td:nth-child(4)');
    expect(await page.locator('[data-testid=campaign-roi] tbody tr').count()).toBe(4);
    await page.locator('[data-testid=campaign-members] tbody tr').first().waitFor();
  });
});

describe('KPI targets', () => {
  it('answers whether this month’s MQL target will be met, from the run-rate forecast', async () => {
    await page.click('nav.sidebar >> text=KPI目標');
    await page.waitForSelector('[data-testid=current-period] tr[data-metric=mql]');
    const progress = await get<{ periods: { metrics: { metric: string; target: number | null; forecast: number | null; onTrack: boolean | null }[] }[] }>('/api/v1/targets/progress');
    const mql = progress.periods[0].metrics.find((m) => m.metric === 'mql');
    expect(mql?.target).not.toBeNull();
    const row = page.locator('[data-testid=current-period] tr[data-metric=mql]');
    expect(await row.locator('[data-testid=forecast]').textContent()).toBe(mql?.forecast?.toLocaleString('ja-JP'));
    expect(await row.locator('[data-testid=on-track]').textContent()).toBe(mql?.onTrack ? '達成見込み' : '未達見込み');
    await page.waitForSelector('[data-testid=targets-chart] canvas');
  });
});
