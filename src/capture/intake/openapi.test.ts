import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('publishes the capture endpoints in the OpenAPI document', async () => {
  const r = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(r.statusCode).toBe(200);
  const paths = Object.keys(r.json().paths);
  expect(paths).toEqual(
    expect.arrayContaining([
      '/api/v1/activities',
      '/api/v1/forms',
      '/api/v1/forms/{id}',
      '/api/v1/forms/{id}/submissions',
      '/f/{id}',
      '/f/{id}/embed.js',
      '/t.js',
      '/t/collect',
    ]),
  );
  const activities = r.json().paths['/api/v1/activities'].post;
  expect(activities.tags).toEqual(['activities']);
  expect(JSON.stringify(activities.requestBody)).toContain('occurredAt');
});
