import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Db, openPglite, openPostgres } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';

export class BenchError extends Error {}

export interface BenchTarget {
  db: Db;
  /** 'embedded (PGlite)' or 'PostgreSQL 15.x'. */
  database: string;
  /** A URL for child processes, when the target is a server. */
  url?: string;
  drop(): Promise<void>;
}

/**
 * The bench never touches a database that holds other data: on a server it creates its own
 * database `leadflow_bench_<pid>` next to the one DATABASE_URL names and drops it afterwards;
 * embedded, it uses a fresh temporary data directory.
 */
export async function openBenchTarget(
  databaseUrl: string | undefined,
  opts: { keep?: boolean } = {},
): Promise<BenchTarget> {
  if (!databaseUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'leadflow-bench-'));
    const db = await openPglite(dir);
    await migrate(db);
    const v = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return {
      db,
      database: `embedded (PGlite, PostgreSQL ${v.rows[0].v})`,
      async drop() {
        await db.close();
        if (!opts.keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  let admin: pg.Client;
  try {
    admin = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
    await admin.connect();
  } catch (err) {
    throw new BenchError(
      `cannot reach DATABASE_URL (${redact(databaseUrl)}): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const name = `leadflow_bench_${process.pid}`;
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  // Four workers running four jobs each, the HTTP server and the bench itself: room for all.
  const db = await openPostgres(url.toString(), 32);
  await migrate(db);
  const v = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  return {
    db,
    url: url.toString(),
    database: `PostgreSQL ${v.rows[0].v.split(' ')[0]}`,
    async drop() {
      await db.close();
      if (opts.keep) return;
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an invalid URL';
  }
}
