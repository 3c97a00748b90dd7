import type { InjectOptions } from 'fastify';
import type { Response as InjectResponse } from 'light-my-request';
import { buildApp } from '../../src/app.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/db/client.ts';
import type { App, AppContext } from '../../src/platform/http/context.ts';
import { startWorker, type Worker } from '../../src/platform/jobs/worker.ts';
import { silentLog } from '../../src/platform/log.ts';
import { jobHandlers, periodicTasks } from '../../src/runtime.ts';
import { createApiKey } from '../../src/team/api-keys.ts';
import { ROLES, type Role } from '../../src/team/permissions.ts';
import { createTestDb } from './db.ts';

export interface TestApp {
  app: App;
  ctx: AppContext;
  db: Db;
  clock: ReturnType<typeof fixedClock>;
  /** An API key per role. */
  keys: Record<Role, string>;
  /** A worker that is not polling: call drain() to run due jobs. */
  worker: Worker;
  /** Injects a request as the given role (admin by default). */
  call(opts: InjectOptions & { as?: Role }): Promise<InjectResponse>;
  close(): Promise<void>;
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDb();
  const clock = fixedClock(new Date());
  const config = loadConfig({ LEADFLOW_PUBLIC_URL: 'http://leadflow.test', ...env });
  const ctx: AppContext = { db, clock: { now: () => new Date() }, log: silentLog, config, secret: 'test-secret-0123456789abcdef0123456789' };
  const app = await buildApp(ctx);
  await app.ready();
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await createApiKey(db, 1, { name: `test ${role}`, role })).key;
  const worker = startWorker({ ctx, handlers: jobHandlers(), periodic: periodicTasks() }, false);
  return {
    app,
    ctx,
    db,
    clock,
    keys,
    worker,
    call: ({ as = 'admin', headers, ...rest }) =>
      app.inject({ ...rest, headers: { authorization: `Bearer ${keys[as]}`, ...headers } }),
    async close() {
      await worker.stop();
      await app.close();
      await db.close();
    },
  };
}
