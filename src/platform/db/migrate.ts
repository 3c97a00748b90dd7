import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Any number: all that matters is that every migrator uses the same one. */
const MIGRATION_LOCK = 724_001;

export interface MigrationFile {
  name: string;
  sql: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(dir + name, 'utf8') })));
}

/**
 * Applies pending migrations in name order, each in its own transaction under an advisory
 * lock, so two processes starting at once apply each migration exactly once.
 * Returns the names applied.
 */
export async function migrate(db: Db): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const m of await readMigrations()) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name]);
      if (seen.rows.length > 0) return false;
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await readMigrations();
  const r = await db
    .query<{ name: string }>('SELECT name FROM schema_migrations')
    .catch(() => ({ rows: [] as { name: string }[] }));
  const seen = new Set(r.rows.map((x) => x.name));
  return all.map((m) => m.name).filter((n) => !seen.has(n));
}

/**
 * Splits a migration into statements on semicolons at line ends, outside dollar-quoted
 * bodies. Migrations are written to respect this: one statement may span lines, and a
 * function body goes between $$ … $$.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (!inDollar && (trimmed.startsWith('--') || trimmed === '')) continue;
    current += `${line}\n`;
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inDollar = !inDollar;
    if (!inDollar && trimmed.endsWith(';')) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
