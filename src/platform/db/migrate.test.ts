import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../../test/helpers/db.ts';
import type { Db } from './client.ts';
import { migrate, pendingMigrations, readMigrations, splitStatements } from './migrate.ts';

describe('migration files', () => {
  it('are numbered, unique and split into statements', async () => {
    const files = await readMigrations();
    const numbers = files.map((f) => f.name.slice(0, 4));
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const f of files) expect(splitStatements(f.sql).length).toBeGreaterThan(0);
  });

  it('keep dollar-quoted bodies in one statement', () => {
    const sql = `CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  x := 1;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT 1;\n`;
    const parts = splitStatements(sql);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toContain('RETURN NEW;');
  });
});

describe('migrate', () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('applies nothing twice on an up-to-date database', async () => {
    expect(await migrate(db)).toEqual([]);
    expect(await pendingMigrations(db)).toEqual([]);
  });

  it('gives every table a workspace_id column', async () => {
    const r = await db.query<{ table_name: string }>(
      `SELECT t.table_name FROM information_schema.tables t
       WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
         -- Installation-wide infrastructure (the job queue, the shared SMTP rate window, sign-in
         -- throttling) and staging rows reached only through a workspace-scoped parent.
         AND t.table_name NOT IN ('schema_migrations', 'workspaces', 'jobs', 'login_attempts', 'sessions', 'mail_rate_slots',
                                  'import_chunks', 'import_row_issues')
         AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                         WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'workspace_id')`,
    );
    expect(r.rows.map((x) => x.table_name)).toEqual([]);
  });
});
