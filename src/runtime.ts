import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FEATURES } from './features.ts';
import { systemClock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { type Db, openDb } from './platform/db/client.ts';
import { migrate } from './platform/db/migrate.ts';
import type { AppContext } from './platform/http/context.ts';
import type { JobHandler, PeriodicTask } from './platform/jobs/worker.ts';
import type { Log } from './platform/log.ts';
import { MAIL_QUEUE, sendMailJob } from './platform/mail.ts';
import { resolveSecret } from './platform/secret.ts';

export class UserFacingError extends Error {}

/** Opens the configured database with a clear one-line error when it cannot be reached. */
export async function connect(config: Config): Promise<Db> {
  try {
    if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
    return await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const where = config.databaseUrl ? 'DATABASE_URL' : `data directory ${config.dataDir}`;
    throw new UserFacingError(`cannot open the database (${where}): ${reason}`);
  }
}

export async function createContext(config: Config, log: Log, opts: { migrate?: boolean } = {}): Promise<AppContext> {
  const db = await connect(config);
  if (opts.migrate !== false) await migrate(db);
  const secret = await resolveSecret(db, config.secret);
  return { db, clock: systemClock, log, config, secret };
}

export function jobHandlers(): Record<string, JobHandler> {
  return Object.assign({ [MAIL_QUEUE]: sendMailJob }, ...FEATURES.map((f) => f.jobs ?? {}));
}

export function periodicTasks(): PeriodicTask[] {
  return FEATURES.flatMap((f) => f.periodic ?? []);
}

const LOCK_FILE = 'leadflow.lock';

interface LockInfo {
  pid: number;
  port: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The embedded database belongs to one process at a time. `serve` takes the lock; every other
 * command checks it and stops with a message instead of corrupting the data directory.
 */
export function holdDataDir(config: Config, port: number): () => void {
  if (config.databaseUrl) return () => undefined;
  assertDataDirFree(config);
  const file = join(config.dataDir, LOCK_FILE);
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ pid: process.pid, port } satisfies LockInfo));
  return () => rmSync(file, { force: true });
}

export function assertDataDirFree(config: Config): void {
  if (config.databaseUrl) return;
  const file = join(config.dataDir, LOCK_FILE);
  if (!existsSync(file)) return;
  let info: LockInfo | undefined;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    info = undefined;
  }
  if (info && alive(info.pid) && info.pid !== process.pid) {
    throw new UserFacingError(
      `the embedded database in ${resolve(config.dataDir)} is in use by a running server (pid ${info.pid}); ` +
        `stop it first, or do this through its API at http://localhost:${info.port}/api/docs`,
    );
  }
}
