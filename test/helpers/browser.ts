import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { App, AppContext } from '../../src/platform/http/context.ts';
import { startWorker, type Worker } from '../../src/platform/jobs/worker.ts';
import { silentLog } from '../../src/platform/log.ts';
import { jobHandlers, periodicTasks } from '../../src/runtime.ts';
import { createTestDb } from './db.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TestServer {
  url: string;
  app: App;
  ctx: AppContext;
  worker: Worker;
  close(): Promise<void>;
}

/**
 * A real Leadflow server on 127.0.0.1 (random port) over a fresh test database, with a polling
 * worker; with `seed`, the demo data set. Extra env (e.g. SMTP_URL) goes into the config.
 */
export async function startServer(opts: { seed?: boolean; env?: Record<string, string> } = {}): Promise<TestServer> {
  const db = await createTestDb();
  const config0 = loadConfig({ ...opts.env });
  const ctx: AppContext = { db, clock: systemClock, log: silentLog, config: config0, secret: 'browser-test-secret-0123456789abcdef' };
  if (opts.seed) await seedDemo(ctx, { onlyIfEmpty: false });
  const app = await buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // The public URL (mail links, embeds) must point at this server.
  ctx.config = loadConfig({ LEADFLOW_PUBLIC_URL: url, ...opts.env });
  const worker = startWorker({ ctx, handlers: jobHandlers(), periodic: periodicTasks(), pollMs: 100 });
  return {
    url,
    app,
    ctx,
    worker,
    async close() {
      await worker.stop();
      await app.close();
      await db.close();
    },
  };
}

/** Debian's Chromium, headless, without the background networking this closed machine refuses. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A page in a fresh context with the given browser language (Japanese by default). */
export async function newPage(browser: Browser, locale = 'ja-JP'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { jsErrors: string[] }).jsErrors = errors;
  return { context, page };
}

/** Signs in through the login page and waits for the shell. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav.sidebar');
}
