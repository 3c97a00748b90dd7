import { hash, verify } from '@node-rs/argon2';
import type { Queryable } from '../platform/db/client.ts';
import { AppError, isUniqueViolation } from '../platform/errors.ts';
import { normalizeEmail } from '../people/normalize.ts';
import type { Role } from './permissions.ts';

export interface User {
  id: string;
  workspaceId: number;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  managerId: string | null;
  locale: string | null;
  createdAt: Date;
}

interface UserRow {
  id: string;
  workspace_id: number;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  manager_id: string | null;
  locale: string | null;
  created_at: Date;
  password_hash?: string;
}

export const USER_COLUMNS = 'id, workspace_id, email, name, role, active, manager_id, locale, created_at';

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    email: r.email,
    name: r.name,
    role: r.role,
    active: r.active,
    managerId: r.manager_id,
    locale: r.locale,
    createdAt: r.created_at,
  };
}

export const MIN_PASSWORD_LENGTH = 8;

export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export interface NewUser {
  email: string;
  password: string;
  role: Role;
  name?: string;
  managerId?: string | null;
  /** A precomputed hash, so the demo seed does not pay argon2 per user. */
  passwordHash?: string;
}

export async function createUser(q: Queryable, workspaceId: number, input: NewUser): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!email) throw new AppError(422, 'validation', 'Invalid request', `email: not a valid e-mail address`, [
    { path: 'email', message: 'not a valid e-mail address' },
  ]);
  if (!input.passwordHash && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(422, 'validation', 'Invalid request', `password: at least ${MIN_PASSWORD_LENGTH} characters`, [
      { path: 'password', message: `at least ${MIN_PASSWORD_LENGTH} characters` },
    ]);
  }
  const passwordHash = input.passwordHash ?? (await hashPassword(input.password));
  try {
    const r = await q.query<UserRow>(
      `INSERT INTO users (workspace_id, email, name, password_hash, role, manager_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${USER_COLUMNS}`,
      [workspaceId, email, input.name ?? email.split('@')[0], passwordHash, input.role, input.managerId ?? null],
    );
    return toUser(r.rows[0]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError(409, 'duplicate', 'Conflict', `A user with e-mail ${email} exists`);
    throw err;
  }
}

/** Checks a password; returns the user only when it matches an active account. */
export async function verifyUserPassword(
  q: Queryable,
  workspaceId: number,
  email: string,
  password: string,
): Promise<User | undefined> {
  const r = await q.query<UserRow>(
    `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE workspace_id = $1 AND email = $2 AND active`,
    [workspaceId, normalizeEmail(email) ?? ''],
  );
  const row = r.rows[0];
  if (!row?.password_hash) return undefined;
  const ok = await verify(row.password_hash, password).catch(() => false);
  return ok ? toUser(row) : undefined;
}

export async function getUser(q: Queryable, workspaceId: number, id: string): Promise<User | undefined> {
  const r = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE workspace_id = $1 AND id = $2`, [
    workspaceId,
    id,
  ]);
  return r.rows[0] ? toUser(r.rows[0]) : undefined;
}

export async function listUsers(q: Queryable, workspaceId: number): Promise<User[]> {
  const r = await q.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE workspace_id = $1 ORDER BY role, name, id`,
    [workspaceId],
  );
  return r.rows.map(toUser);
}
