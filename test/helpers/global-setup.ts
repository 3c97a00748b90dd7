import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../../src/platform/db/client.ts';
import { migrate, readMigrations } from '../../src/platform/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

const CACHE = join(process.cwd(), 'node_modules', '.cache', 'leadflow-test');

/**
 * Builds one migrated template database per run (per migration set): a PGlite dump that each
 * test file loads, and, when TEST_DATABASE_URL is set, a PostgreSQL template database that
 * each test file clones with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(project: TestProject) {
  const migrations = await readMigrations();
  const hash = createHash('sha256').update(migrations.map((m) => m.name + m.sql).join('\n')).digest('hex').slice(0, 12);
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, `template-${hash}.tar.gz`);
  if (!existsSync(file)) {
    const db = (await openPglite(undefined)) as Awaited<ReturnType<typeof openPglite>> & {
      pglite: { dumpDataDir(c: 'gzip'): Promise<Blob> };
    };
    await migrate(db);
    const blob = await db.pglite.dumpDataDir('gzip');
    // Written aside and renamed, so a concurrent run never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, file);
    await db.close();
  }
  project.provide('pgliteTemplate', file);

  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const template = `leadflow_tpl_${hash}`;
    const admin = await openPostgres(url, 1);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    // Leftovers of crashed runs: test databases (named with their creation time) older than an
    // hour, and templates of other migration sets that nobody is cloning right now.
    const old = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'leadflow_t%'");
    for (const { datname } of old.rows) {
      const born = /^leadflow_t_(\d+)_/.exec(datname);
      const stale = born ? Date.now() - Number(born[1]) > 3_600_000 : datname.startsWith('leadflow_tpl_') && datname !== template;
      if (stale) await admin.exec(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
    if (exists.rows.length === 0) {
      await admin.exec(`CREATE DATABASE "${template}"`).catch(async (err) => {
        // Another run created it at the same moment.
        if (!String(err).includes('already exists')) throw err;
      });
      const db = await openPostgres(withDatabase(url, template), 1);
      await migrate(db);
      await db.close();
    }
    await admin.close();
    project.provide('postgresTemplate', template);
  } else {
    project.provide('postgresTemplate', null);
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
