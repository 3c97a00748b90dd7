import { z } from 'zod';
import { AppError, notFound } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { decodeCursor, pageQuery, toPage } from '../platform/http/pagination.ts';
import { actorOf, principalOf } from './auth.ts';
import { recordAudit } from './audit.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { ROLES } from './permissions.ts';
import { createSession, deleteSession, SESSION_COOKIE, SESSION_DAYS } from './sessions.ts';
import { createUser, getUser, listUsers, USER_COLUMNS, toUser, verifyUserPassword, hashPassword } from './users.ts';

const roleSchema = z.enum(ROLES);
const MAX_FAILED_PER_EMAIL = 10;
const MAX_FAILED_PER_IP = 50;
const LOCK_WINDOW_MINUTES = 15;

export async function teamRoutes(app: App, ctx: AppContext) {
  const secureCookie = ctx.config.publicUrl.startsWith('https://');

  app.post(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags: ['team'],
        summary: 'Sign in with e-mail and password; sets the session cookie',
        body: z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) }),
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const ip = request.ip;
      const recent = await ctx.db.query<{ by_email: number; by_ip: number }>(
        `SELECT count(*) FILTER (WHERE email = $1) AS by_email, count(*) FILTER (WHERE ip = $2) AS by_ip
         FROM login_attempts WHERE NOT success AND at > now() - make_interval(mins => $3) AND (email = $1 OR ip = $2)`,
        [email.toLowerCase(), ip, LOCK_WINDOW_MINUTES],
      );
      const { by_email, by_ip } = recent.rows[0];
      if (by_email >= MAX_FAILED_PER_EMAIL || by_ip >= MAX_FAILED_PER_IP) {
        throw new AppError(429, 'rate-limited', 'Too many sign-in attempts', `Try again in ${LOCK_WINDOW_MINUTES} minutes`);
      }
      const user = await verifyUserPassword(ctx.db, 1, email, password);
      await ctx.db.query('INSERT INTO login_attempts (email, ip, success) VALUES ($1, $2, $3)', [
        email.toLowerCase(),
        ip,
        Boolean(user),
      ]);
      if (!user) throw new AppError(401, 'invalid-credentials', 'Sign-in failed', 'Wrong e-mail or password');
      const old = request.cookies[SESSION_COOKIE];
      if (old) await deleteSession(ctx.db, old);
      const session = await createSession(ctx.db, user.workspaceId, user.id, ctx.clock.now());
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        maxAge: SESSION_DAYS * 86400,
      });
      return { user, csrfToken: session.csrfToken };
    },
  );

  app.get(
    '/api/v1/session',
    { config: { permission: 'settings:read' }, schema: { tags: ['team'], summary: 'The signed-in user and CSRF token' } },
    async (request) => {
      const p = principalOf(request);
      const user = p.userId ? await getUser(ctx.db, p.workspaceId, p.userId) : undefined;
      return { user: user ?? null, role: p.role, csrfToken: p.csrfToken };
    },
  );

  app.delete(
    '/api/v1/session',
    { config: { public: true }, schema: { tags: ['team'], summary: 'Sign out' } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await deleteSession(ctx.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/users',
    { config: { permission: 'users:list' }, schema: { tags: ['team'], summary: 'Users of the workspace' } },
    async (request) => ({ items: await listUsers(ctx.db, principalOf(request).workspaceId), nextCursor: null }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['team'],
        summary: 'Create a user',
        body: z.object({
          email: z.string().max(254),
          password: z.string().min(8).max(200),
          role: roleSchema,
          name: z.string().max(200).optional(),
          managerId: z.uuid().nullable().optional(),
        }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const user = await ctx.db.transaction(async (tx) => {
        const u = await createUser(tx, actor.workspaceId, request.body);
        await recordAudit(tx, actor, { action: 'user.created', entityType: 'user', entityId: u.id, meta: { role: u.role } });
        return u;
      });
      return reply.code(201).send(user);
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['team'],
        summary: 'Change a user (role, name, active, manager, password)',
        params: z.object({ id: z.uuid() }),
        body: z.object({
          role: roleSchema.optional(),
          name: z.string().max(200).optional(),
          active: z.boolean().optional(),
          managerId: z.uuid().nullable().optional(),
          password: z.string().min(8).max(200).optional(),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const b = request.body;
      return ctx.db.transaction(async (tx) => {
        const before = await getUser(tx, actor.workspaceId, request.params.id);
        if (!before) throw notFound('User', request.params.id);
        const hash = b.password ? await hashPassword(b.password) : null;
        const r = await tx.query<Parameters<typeof toUser>[0]>(
          `UPDATE users SET role = coalesce($3, role), name = coalesce($4, name), active = coalesce($5, active),
             manager_id = CASE WHEN $6 THEN $7::uuid ELSE manager_id END,
             password_hash = coalesce($8, password_hash), updated_at = now()
           WHERE workspace_id = $1 AND id = $2 RETURNING ${USER_COLUMNS}`,
          [actor.workspaceId, request.params.id, b.role ?? null, b.name ?? null, b.active ?? null, b.managerId !== undefined, b.managerId ?? null, hash],
        );
        if (b.active === false || b.password) await tx.query('DELETE FROM sessions WHERE user_id = $1', [request.params.id]);
        const after = toUser(r.rows[0]);
        const changes: Record<string, [unknown, unknown]> = {};
        for (const k of ['role', 'name', 'active', 'managerId'] as const) {
          if (before[k] !== after[k]) changes[k] = [before[k], after[k]];
        }
        if (b.password) changes.password = ['[redacted]', '[changed]'];
        await recordAudit(tx, actor, { action: 'user.updated', entityType: 'user', entityId: after.id, changes });
        return after;
      });
    },
  );

  app.get(
    '/api/v1/api-keys',
    { config: { permission: 'api-keys:manage' }, schema: { tags: ['team'], summary: 'API keys (never the keys themselves)' } },
    async (request) => ({ items: await listApiKeys(ctx.db, principalOf(request).workspaceId), nextCursor: null }),
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { permission: 'api-keys:manage' },
      schema: {
        tags: ['team'],
        summary: 'Create an API key; the key is in the answer once and never again',
        body: z.object({ name: z.string().min(1).max(100), role: roleSchema }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const created = await ctx.db.transaction(async (tx) => {
        const c = await createApiKey(tx, actor.workspaceId, { ...request.body, createdBy: principalOf(request).userId });
        await recordAudit(tx, actor, { action: 'api_key.created', entityType: 'api_key', entityId: c.apiKey.id, meta: { role: c.apiKey.role } });
        return c;
      });
      return reply.code(201).send({ ...created.apiKey, key: created.key });
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    { config: { permission: 'api-keys:manage' }, schema: { tags: ['team'], summary: 'Revoke an API key', params: z.object({ id: z.uuid() }) } },
    async (request) => {
      const actor = actorOf(request);
      return ctx.db.transaction(async (tx) => {
        const k = await revokeApiKey(tx, actor.workspaceId, request.params.id);
        await recordAudit(tx, actor, { action: 'api_key.revoked', entityType: 'api_key', entityId: k.id });
        return k;
      });
    },
  );

  app.get(
    '/api/v1/audit-log',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['team'],
        summary: 'The audit log, newest first',
        querystring: z.object({ ...pageQuery, entityType: z.string().max(50).optional(), entityId: z.string().max(100).optional() }),
      },
    },
    async (request) => {
      const { limit, cursor, entityType, entityId } = request.query;
      const after = decodeCursor(cursor, 1);
      const r = await ctx.db.query<{
        id: number; at: Date; actor_type: string; actor_id: string | null; actor_label: string | null;
        action: string; entity_type: string; entity_id: string | null; changes: unknown; meta: unknown;
      }>(
        `SELECT id, at, actor_type, actor_id, actor_label, action, entity_type, entity_id, changes, meta
         FROM audit_log WHERE workspace_id = $1 AND ($2::bigint IS NULL OR id < $2)
           AND ($3::text IS NULL OR entity_type = $3) AND ($4::text IS NULL OR entity_id = $4)
         ORDER BY id DESC LIMIT $5`,
        [principalOf(request).workspaceId, after?.[0] ?? null, entityType ?? null, entityId ?? null, limit + 1],
      );
      const page = toPage(r.rows, limit, (last) => [last.id]);
      return {
        items: page.items.map((x) => ({
          id: x.id, at: x.at, actorType: x.actor_type, actorId: x.actor_id, actorLabel: x.actor_label,
          action: x.action, entityType: x.entity_type, entityId: x.entity_id, changes: x.changes, meta: x.meta,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
