import type { Queryable } from '../platform/db/client.ts';
import { notFound } from '../platform/errors.ts';
import { randomToken, sha256 } from '../platform/tokens.ts';
import type { Role } from './permissions.ts';

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = 'id, name, role, prefix, created_at, last_used_at, revoked_at';

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/**
 * Creates an API key. The raw key is returned once and only its SHA-256 is stored: keys carry
 * 256 bits of entropy, so a fast hash is safe here where a password would need argon2.
 */
export async function createApiKey(
  q: Queryable,
  workspaceId: number,
  input: { name: string; role: Role; createdBy?: string | null },
): Promise<{ key: string; apiKey: ApiKey }> {
  const key = `lf_${randomToken(32)}`;
  const r = await q.query<ApiKeyRow>(
    `INSERT INTO api_keys (workspace_id, name, role, key_hash, prefix, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [workspaceId, input.name, input.role, sha256(key), key.slice(0, 9), input.createdBy ?? null],
  );
  return { key, apiKey: toApiKey(r.rows[0]) };
}

export interface ApiKeyPrincipal {
  id: string;
  workspaceId: number;
  role: Role;
  name: string;
}

export async function findApiKey(q: Queryable, key: string): Promise<ApiKeyPrincipal | undefined> {
  const r = await q.query<{ id: string; workspace_id: number; role: Role; name: string; last_used_at: Date | null }>(
    `SELECT id, workspace_id, role, name, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [sha256(key)],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  // Touch at most once a minute, so a busy integration does not write on every call.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await q.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.id]);
  }
  return { id: row.id, workspaceId: row.workspace_id, role: row.role, name: row.name };
}

export async function listApiKeys(q: Queryable, workspaceId: number): Promise<ApiKey[]> {
  const r = await q.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = $1 ORDER BY created_at DESC`,
    [workspaceId],
  );
  return r.rows.map(toApiKey);
}

export async function revokeApiKey(q: Queryable, workspaceId: number, id: string): Promise<ApiKey> {
  const r = await q.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE workspace_id = $1 AND id = $2
     RETURNING ${COLUMNS}`,
    [workspaceId, id],
  );
  if (!r.rows[0]) throw notFound('API key', id);
  return toApiKey(r.rows[0]);
}
