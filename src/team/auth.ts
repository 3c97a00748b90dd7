import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, forbidden } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { sendProblem } from '../platform/http/problem.ts';
import type { Actor } from './audit.ts';
import { findApiKey } from './api-keys.ts';
import { can, type Permission, type Role } from './permissions.ts';
import { findSession, SESSION_COOKIE } from './sessions.ts';

export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  workspaceId: number;
  role: Role;
  label: string;
  /** The signed-in user's id (for sessions). */
  userId: string | null;
  csrfToken: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission from the permission table this route requires. */
    permission?: Permission;
    /** A public route: no authentication (forms, tracker, unsubscribe, login, health). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The authenticated caller of a private route; throws if called on a public one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError(401, 'unauthenticated', 'Authentication required');
  return request.principal;
}

export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return { type: p.kind, id: p.id, label: p.label, workspaceId: p.workspaceId };
}

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError(401, 'unauthenticated', 'Authentication required', 'Use Authorization: Bearer <api key>');
    const key = await findApiKey(ctx.db, m[1]);
    if (!key) throw new AppError(401, 'unauthenticated', 'Authentication required', 'Unknown or revoked API key');
    return {
      kind: 'api_key',
      id: key.id,
      workspaceId: key.workspaceId,
      role: key.role,
      label: `API key ${key.name}`,
      userId: null,
      csrfToken: null,
    };
  }
  const token = request.cookies?.[SESSION_COOKIE];
  if (!token) return undefined;
  const s = await findSession(ctx.db, token, ctx.clock.now());
  if (!s) return undefined;
  return {
    kind: 'user',
    id: s.userId,
    workspaceId: s.workspaceId,
    role: s.role,
    label: s.name || s.email,
    userId: s.userId,
    csrfToken: s.csrfToken,
  };
}

/**
 * Every route under /api/v1 must name a permission or be marked public; the app refuses to
 * start otherwise. The hook authenticates (API key or session cookie), enforces CSRF for
 * cookie sessions (a custom header a cross-site form cannot send), and consults the table.
 */
export function registerAuth(app: App, ctx: AppContext) {
  const routes: { method: string; url: string; permission?: Permission; public?: boolean }[] = [];
  app.decorate('leadflowRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    const config = route.config as { permission?: Permission; public?: boolean } | undefined;
    if (!config?.permission && !config?.public) {
      throw new Error(`Route ${route.method} ${route.url} names no permission`);
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, permission: config.permission, public: config.public });
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    if (!request.url.startsWith('/api/v1') || config?.public || !config?.permission) return;
    try {
      const principal = await authenticate(ctx, request);
      if (!principal) throw new AppError(401, 'unauthenticated', 'Authentication required', 'Sign in or send an API key');
      if (principal.kind === 'user' && UNSAFE.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (sent !== principal.csrfToken) {
          throw new AppError(403, 'csrf', 'Forbidden', 'Missing or wrong X-CSRF-Token header');
        }
      }
      if (!can(principal.role, config.permission)) throw forbidden(`The ${principal.role} role may not ${config.permission}`);
      request.principal = principal;
    } catch (err) {
      if (err instanceof AppError) return sendProblem(reply, request, err);
      throw err;
    }
  });
}
