import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/team/users.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.db, 1, { email: 'rep@example.jp', password: 'correct-horse', role: 'sales', name: '営業 一郎' });
});
afterAll(async () => {
  await t?.close();
});

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? raw[0] : String(raw);
  return first;
}

async function signIn(email = 'rep@example.jp', password = 'correct-horse') {
  return t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
}

describe('sign-in sessions', () => {
  it('sets an httpOnly, SameSite=Lax session cookie and returns a CSRF token', async () => {
    const res = await signIn();
    expect(res.statusCode).toBe(200);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/^lf_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(res.json().csrfToken).toBeTruthy();
    expect(JSON.stringify(res.json())).not.toContain('password');
  });

  it('refuses a cookie-authenticated write without the CSRF header, and accepts it with', async () => {
    const res = await signIn();
    const session = cookieOf(res).split(';')[0];
    const csrf = res.json().csrfToken as string;
    const without = await t.app.inject({ method: 'POST', url: '/api/v1/people', headers: { cookie: session }, payload: { email: 'csrf@x.jp' } });
    expect(without.statusCode).toBe(403);
    expect(without.json().type).toContain('csrf');
    const withHeader = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      headers: { cookie: session, 'x-csrf-token': csrf },
      payload: { email: 'csrf@x.jp' },
    });
    expect(withHeader.statusCode).toBe(201);
    const reads = await t.app.inject({ method: 'GET', url: '/api/v1/people', headers: { cookie: session } });
    expect(reads.statusCode).toBe(200);
  });

  it('rotates the session at sign-in and ends it at sign-out', async () => {
    const first = cookieOf(await signIn()).split(';')[0];
    const second = await t.app.inject({ method: 'POST', url: '/api/v1/session', headers: { cookie: first }, payload: { email: 'rep@example.jp', password: 'correct-horse' } });
    const rotated = cookieOf(second).split(';')[0];
    expect(rotated).not.toBe(first);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: first } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: rotated } })).statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: rotated } });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: rotated } })).statusCode).toBe(401);
  });

  it('rate-limits failed sign-ins per e-mail', async () => {
    await createUser(t.db, 1, { email: 'target@example.jp', password: 'the-real-one', role: 'viewer' });
    for (let i = 0; i < 10; i++) {
      expect((await signIn('target@example.jp', `wrong-${i}`)).statusCode).toBe(401);
    }
    const locked = await signIn('target@example.jp', 'the-real-one');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['content-type']).toContain('application/problem+json');
  });

  it('records writes in the audit log with the user as actor', async () => {
    const res = await signIn();
    const session = cookieOf(res).split(';')[0];
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      headers: { cookie: session, 'x-csrf-token': res.json().csrfToken },
      payload: { email: 'audited@x.jp' },
    });
    const log = (await t.call({ method: 'GET', url: `/api/v1/audit-log?entityId=${created.json().id}` })).json();
    expect(log.items[0]).toMatchObject({ action: 'person.created', actorType: 'user', actorLabel: '営業 一郎' });
    expect((await t.call({ method: 'GET', url: '/api/v1/audit-log', as: 'marketing' })).statusCode).toBe(403);
  });
});

describe('public surface', () => {
  it('answers /healthz once migrations are applied, and publishes the OpenAPI document', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const path of ['/api/v1/people', '/api/v1/people/{id}', '/api/v1/people/{id}/stage', '/api/v1/audit-log']) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers unknown API paths with problem+json, never HTML', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
