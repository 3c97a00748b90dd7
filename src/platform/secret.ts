import type { Db } from './db/client.ts';
import { randomToken } from './tokens.ts';

/** LEADFLOW_SECRET when set; otherwise a secret generated once and kept in the database. */
export async function resolveSecret(db: Db, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  await db.query(
    `INSERT INTO settings (workspace_id, key, value) VALUES (1, 'secret', $1) ON CONFLICT DO NOTHING`,
    [JSON.stringify(randomToken(48))],
  );
  const r = await db.query<{ value: string }>(`SELECT value FROM settings WHERE workspace_id = 1 AND key = 'secret'`);
  return r.rows[0].value;
}
