import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface QueryResult<T> {
  rows: T[];
  affectedRows: number;
}

/** What every part of Leadflow sees of the database: PostgreSQL, served by PGlite or a server. */
export interface Queryable {
  query<T = Row>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

// int8 counts and ids as numbers (all our int8 values stay below 2^53); dates as 'YYYY-MM-DD'.
const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Db> {
  const pglite = await PGlite.create({
    dataDir,
    loadDataDir,
    parsers: {
      [INT8]: (v: string) => Number(v),
      [DATE]: (v: string) => v,
      [NUMERIC]: (v: string) => Number(v),
    },
  });
  await pglite.exec("SET TIME ZONE 'UTC'");
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(text: string, params?: unknown[]) {
      const r = await q.query<T>(text, params as unknown[]);
      return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
    },
  });
  return {
    kind: 'pglite',
    ...wrap(pglite),
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    exec: async (script) => {
      await pglite.exec(script);
    },
    close: () => pglite.close(),
    // Kept for tests that clone a migrated template.
    pglite,
  } as Db & { pglite: PGlite };
}

pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);
pg.types.setTypeParser(NUMERIC, (v) => Number(v));

export async function openPostgres(url: string, max = 10): Promise<Db> {
  // JIT compilation cost 100–450 ms per analytical statement at 1M people on a 2-core machine
  // (auto_explain on the scale-10 bench database) and never paid itself back: off for our sessions.
  // The server's default work_mem (4 MB) sent the reports' sorts of a few hundred thousand rows
  // (campaign touches, cohorts) to disk; 32 MB keeps them in memory.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    options: '-c TimeZone=UTC -c jit=off -c work_mem=32MB',
  });
  // Fail fast with a clear message rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  pool.on('error', () => {
    /* idle client errors are surfaced on the next query */
  });
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(text: string, params?: unknown[]) {
      const r = await c.query(text, params);
      return { rows: r.rows as T[], affectedRows: r.rowCount ?? 0 };
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    // A deadlock or serialization failure aborts the whole transaction and leaves nothing
    // behind, so it is safe to run it again: up to 5 tries with a short jittered pause.
    // (Transaction bodies touch only the database; mail and webhooks are sent outside them.)
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(wrap(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          const code = (err as { code?: string }).code;
          if ((code === '40P01' || code === '40001') && attempt < 5) {
            await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 40 * attempt));
            continue;
          }
          throw err;
        } finally {
          client.release();
        }
      }
    },
    exec: async (script) => {
      await pool.query(script);
    },
    close: () => pool.end(),
  };
}

export async function openDb(opts: { databaseUrl?: string; dataDir?: string }): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openPglite(opts.dataDir);
}

/** Reads one row or undefined. */
export async function one<T>(db: Queryable, text: string, params?: unknown[]): Promise<T | undefined> {
  const r = await db.query<T>(text, params);
  return r.rows[0];
}
