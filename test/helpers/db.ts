import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { type Db, openPglite, openPostgres } from '../../src/platform/db/client.ts';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Which database the suite runs on: PGlite by default, PostgreSQL when TEST_DATABASE_URL is set. */
export const testDatabaseKind: 'pglite' | 'postgres' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database of its own for a test file: a PGlite loaded from the template
 * dump, or a PostgreSQL database cloned from the template. Close it in afterAll.
 */
export async function createTestDb(): Promise<Db> {
  const url = process.env.TEST_DATABASE_URL;
  const template = inject('postgresTemplate');
  if (url && template) {
    const name = `leadflow_t_${Date.now()}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = await openPostgres(url, 1);
    await admin.exec(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    await admin.close();
    const db = await openPostgres(withDatabase(url, name), 5);
    const close = db.close;
    return Object.assign(db, {
      close: async () => {
        await close();
        const a = await openPostgres(url, 1);
        await a.exec(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await a.close();
      },
    });
  }
  const dump = readFileSync(inject('pgliteTemplate'));
  return openPglite(undefined, new Blob([dump]));
}
