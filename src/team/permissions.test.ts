import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { can, PERMISSIONS, ROLES } from './permissions.ts';

let t: TestApp;
const routes: { method: string; url: string; permission?: string; public?: boolean }[] = [];
beforeAll(async () => {
  t = await createTestApp();
  // Fastify exposes the registered routes through printRoutes only as text; collect from the swagger document instead.
  const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  void spec;
});
afterAll(async () => {
  await t?.close();
});

describe('the permission table', () => {
  it('gives admin every permission and viewer no write permission', () => {
    for (const permission of Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]) {
      expect(can('admin', permission)).toBe(true);
      if (!permission.endsWith(':read') && permission !== 'users:list') expect(can('viewer', permission)).toBe(false);
    }
  });

  it('is enforced on every private route for every role', async () => {
    const found = (t.app as unknown as { leadflowRoutes: typeof routes }).leadflowRoutes;
    routes.push(...found);
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      if (route.public || !route.permission) continue;
      const url = route.url.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      for (const role of ROLES) {
        const r = await t.call({ method: route.method as 'GET', url, as: role, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
        const allowed = can(role, route.permission as keyof typeof PERMISSIONS);
        if (allowed) {
          expect([401, 403], `${role} ${route.method} ${route.url} should pass the role check`).not.toContain(r.statusCode);
        } else {
          expect(r.statusCode, `${role} ${route.method} ${route.url} should be refused`).toBe(403);
          expect(r.json().type).toContain('forbidden');
        }
      }
      const anonymous = await t.app.inject({ method: route.method as 'GET', url });
      expect(anonymous.statusCode, `anonymous ${route.method} ${route.url}`).toBe(401);
    }
  });

  it('refuses revoked and unknown API keys', async () => {
    const created = await t.call({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'temp', role: 'viewer' } });
    const key = created.json().key as string;
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/people', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
    await t.call({ method: 'DELETE', url: `/api/v1/api-keys/${created.json().id}` });
    const revoked = await t.app.inject({ method: 'GET', url: '/api/v1/people', headers: { authorization: `Bearer ${key}` } });
    expect(revoked.statusCode).toBe(401);
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/people', headers: { authorization: 'Bearer lf_nope' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
  });
});
