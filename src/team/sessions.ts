import type { Queryable } from '../platform/db/client.ts';
import { randomToken, sha256 } from '../platform/tokens.ts';
import type { Role } from './permissions.ts';

export const SESSION_COOKIE = 'lf_session';
export const SESSION_DAYS = 14;

export interface SessionPrincipal {
  userId: string;
  workspaceId: number;
  role: Role;
  email: string;
  name: string;
  csrfToken: string;
}

/** Creates a new session (a fresh token at every login: no fixation). Returns the raw token. */
export async function createSession(
  q: Queryable,
  workspaceId: number,
  userId: string,
  now: Date,
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomToken();
  const csrfToken = randomToken(18);
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await q.query(
    `INSERT INTO sessions (token_hash, workspace_id, user_id, csrf_token, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [sha256(token), workspaceId, userId, csrfToken, now, expiresAt],
  );
  return { token, csrfToken, expiresAt };
}

export async function findSession(q: Queryable, token: string, now: Date): Promise<SessionPrincipal | undefined> {
  const r = await q.query<{
    user_id: string;
    workspace_id: number;
    role: Role;
    email: string;
    name: string;
    csrf_token: string;
  }>(
    `SELECT s.user_id, s.workspace_id, u.role, u.email, u.name, s.csrf_token
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active`,
    [sha256(token), now],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    userId: row.user_id,
    workspaceId: row.workspace_id,
    role: row.role,
    email: row.email,
    name: row.name,
    csrfToken: row.csrf_token,
  };
}

export async function deleteSession(q: Queryable, token: string): Promise<void> {
  await q.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)]);
}
