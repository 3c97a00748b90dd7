import { type Config, loadConfig } from '../platform/config.ts';
import type { AppContext } from '../platform/http/context.ts';
import { createLog, silentLog } from '../platform/log.ts';
import { assertDataDirFree, createContext } from '../runtime.ts';

export interface DbOptions {
  dataDir?: string;
}

/** Config from the environment and the common --data-dir flag. */
export function configFrom(opts: DbOptions & { port?: number }): Config {
  return loadConfig(process.env, { dataDir: opts.dataDir, port: opts.port });
}

/** Runs a one-shot command against the database, refusing an embedded data dir a server holds. */
export async function withContext<T>(opts: DbOptions, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = configFrom(opts);
  assertDataDirFree(config);
  const ctx = await createContext(config, process.env.LOG_LEVEL ? createLog() : silentLog);
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}
