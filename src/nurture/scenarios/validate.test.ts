import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import type { Step } from './model.ts';
import { outsideQuietHours, personTimeZone, waitUntil } from './time.ts';
import { eventFires } from './triggers.ts';
import { checkFlow } from './validate.ts';

const send = (id: string, next: string | null, templateId = randomUUID()): Step => ({
  id,
  type: 'send_email',
  templateId,
  next,
});
const wait = (id: string, next: string | null): Step => ({
  id,
  type: 'wait',
  duration: { amount: 1, unit: 'days' },
  next,
});

describe('scenario flow checks (pure)', () => {
  it('a link to a step that does not exist names the step and field', () => {
    const errors = checkFlow({ timeZone: 'Asia/Tokyo', steps: [send('a', 'b'), wait('b', 'nowhere')] });
    expect(errors).toEqual([{ path: 'steps[1].next', message: expect.stringContaining('"nowhere"') }]);
  });

  it('a loop without a wait is refused, a loop through a wait is fine', () => {
    const loop: Step[] = [
      send('a', 'b'),
      { id: 'b', type: 'branch', condition: { kind: 'opened', withinHours: 24 }, yes: null, no: 'a' },
    ];
    const errors = checkFlow({ timeZone: 'Asia/Tokyo', steps: loop });
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/loop with no wait/);
    const withWait: Step[] = [
      send('a', 'w'),
      wait('w', 'b'),
      { id: 'b', type: 'branch', condition: { kind: 'opened', withinHours: 24 }, yes: null, no: 'a' },
    ];
    expect(checkFlow({ timeZone: 'Asia/Tokyo', steps: withWait })).toEqual([]);
  });

  it('unreachable steps, duplicate ids, waits without a time and unknown time zones are refused', () => {
    expect(checkFlow({ timeZone: 'Asia/Tokyo', steps: [send('a', null), send('b', null)] })[0]).toMatchObject(
      { path: 'steps[1].id' },
    );
    expect(checkFlow({ timeZone: 'Asia/Tokyo', steps: [send('a', 'a2'), send('a', null)] })[0]).toMatchObject(
      { path: 'steps[1].id' },
    );
    expect(
      checkFlow({ timeZone: 'Asia/Tokyo', steps: [{ id: 'w', type: 'wait', next: null }] })[0],
    ).toMatchObject({ path: 'steps[0].next' });
    expect(
      checkFlow({
        timeZone: 'Asia/Tokyo',
        steps: [
          { id: 'w', type: 'wait', next: 'x' },
          { id: 'x', type: 'exit' },
        ],
      })[0],
    ).toMatchObject({ path: 'steps[0].duration' });
    expect(checkFlow({ timeZone: 'Mars/Olympus', steps: [send('a', null)] })[0]).toMatchObject({
      path: 'timeZone',
    });
  });
});

describe('which events fire which triggers (pure)', () => {
  it('score crossed fires only when the score passes the threshold upwards', () => {
    const t = { type: 'score_crossed' as const, score: 'engagement' as const, threshold: 60 };
    const ev = (before: number, after: number) => ({
      type: 'person.score_changed',
      data: { engagementScore: after, previous: { engagementScore: before } },
    });
    expect(eventFires(t, ev(50, 60))).toBe(true);
    expect(eventFires(t, ev(60, 70))).toBe(false);
    expect(eventFires(t, ev(70, 50))).toBe(false);
  });

  it('stage changed fires for the named stage (and origin, when given); form submitted for the named form', () => {
    expect(
      eventFires(
        { type: 'stage_changed', to: 'mql' },
        { type: 'person.stage_changed', data: { from: 'inquiry', to: 'mql' } },
      ),
    ).toBe(true);
    expect(
      eventFires(
        { type: 'stage_changed', to: 'mql', from: 'recycled' },
        { type: 'person.stage_changed', data: { from: 'inquiry', to: 'mql' } },
      ),
    ).toBe(false);
    const formId = randomUUID();
    expect(eventFires({ type: 'form_submitted', formId }, { type: 'form.submitted', data: { formId } })).toBe(
      true,
    );
    expect(
      eventFires(
        { type: 'form_submitted', formId },
        { type: 'form.submitted', data: { formId: randomUUID() } },
      ),
    ).toBe(false);
    expect(eventFires({ type: 'form_submitted' }, { type: 'form.submitted', data: { formId } })).toBe(true);
  });
});

describe('POST /api/v1/scenarios validation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const doc = (steps: unknown[]) => ({ name: 'テスト', trigger: { type: 'manual' }, steps });

  it('a step that leads nowhere is a 422 naming the step and field', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: doc([{ id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' }, next: 'gone' }]),
    });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors[0]).toMatchObject({
      path: 'steps[0].next',
      message: expect.stringContaining('"w"'),
    });
  });

  it('a cycle with no wait is a 422', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: doc([
        { id: 'a', type: 'adjust_score', points: 5, next: 'b' },
        { id: 'b', type: 'update_field', field: 'title', value: 'x', next: 'a' },
      ]),
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors[0].message).toMatch(/"a" → "b" → "a"/);
  });

  it('an unknown template is a 422 naming the step and templateId', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: doc([{ id: 'mail1', type: 'send_email', templateId: randomUUID(), next: null }]),
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors[0]).toMatchObject({
      path: 'steps[0].templateId',
      message: expect.stringContaining('step "mail1"'),
    });
    const none = await t.db.query('SELECT 1 FROM scenarios');
    expect(none.rows).toHaveLength(0);
  });

  it('an unknown segment in the trigger or goal is a 422 naming the field', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: {
        ...doc([{ id: 'x', type: 'exit' }]),
        trigger: { type: 'segment_entered', segmentId: randomUUID() },
      },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors[0].path).toBe('trigger.segmentId');
  });

  it('a valid scenario is saved as a draft; viewers may read but not write', async () => {
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: {
        ...doc([
          { id: 'w', type: 'wait', duration: { amount: 2, unit: 'days' }, next: 'x' },
          { id: 'x', type: 'exit' },
        ]),
        goal: { stages: ['sql'] },
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      status: 'draft',
      version: 1,
      reentry: 'never',
      goal: { stages: ['sql'] },
    });
    const id = created.json().id;
    expect(
      (await t.call({ method: 'GET', url: `/api/v1/scenarios/${id}`, as: 'viewer' })).json().webhookSecret,
    ).toBeUndefined();
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/v1/scenarios',
          payload: doc([{ id: 'x', type: 'exit' }]),
          as: 'viewer',
        })
      ).statusCode,
    ).toBe(403);
    const list = await t.call({ method: 'GET', url: '/api/v1/scenarios', as: 'sales' });
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(id);
  });

  it('every scenario route is in the OpenAPI document', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const path of [
      '/api/v1/scenarios',
      '/api/v1/scenarios/{id}',
      '/api/v1/scenarios/{id}/activate',
      '/api/v1/scenarios/{id}/pause',
      '/api/v1/scenarios/{id}/enrol',
      '/api/v1/scenarios/{id}/stats',
      '/api/v1/scenarios/{id}/enrolments',
      '/api/v1/people/{id}/scenarios',
    ]) {
      expect(spec.paths[path], path).toBeDefined();
    }
    expect(spec.paths['/api/v1/scenarios'].post.requestBody).toBeDefined();
  });

  it('enrolling into a draft is a 409; a patch that breaks the flow is a 422 and changes nothing', async () => {
    const created = await t.call({
      method: 'POST',
      url: '/api/v1/scenarios',
      payload: doc([{ id: 'x', type: 'exit' }]),
    });
    const id = created.json().id;
    const enrol = await t.call({
      method: 'POST',
      url: `/api/v1/scenarios/${id}/enrol`,
      payload: { personIds: [randomUUID()] },
    });
    expect(enrol.statusCode).toBe(409);
    const bad = await t.call({
      method: 'PATCH',
      url: `/api/v1/scenarios/${id}`,
      payload: { steps: [{ id: 'a', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'zz' }] },
    });
    expect(bad.statusCode).toBe(422);
    const again = await t.call({ method: 'GET', url: `/api/v1/scenarios/${id}` });
    expect(again.json().steps).toEqual([{ id: 'x', type: 'exit' }]);
  });
});

describe("waits in the person's time zone (pure)", () => {
  const at = (iso: string) => new Date(iso);
  it('until a weekday and time: the next Monday 10:00 in Tokyo', () => {
    // Friday 2026-11-27 15:00 JST
    const step = { id: 'w', type: 'wait' as const, until: { weekdays: [1], time: '10:00' }, next: 'x' };
    expect(waitUntil(step, at('2026-11-27T06:00:00Z'), 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-30T01:00:00.000Z',
    );
    // The same step for someone in New York: Monday 10:00 EST.
    expect(waitUntil(step, at('2026-11-27T06:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-11-30T15:00:00.000Z',
    );
  });

  it('a duration, then the next 9:00', () => {
    const step = {
      id: 'w',
      type: 'wait' as const,
      duration: { amount: 2, unit: 'days' as const },
      until: { time: '09:00' },
      next: 'x',
    };
    expect(waitUntil(step, at('2026-11-27T06:00:00Z'), 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
  });

  it('quiet hours across midnight move a send to their end, in local time', () => {
    const quiet = { start: '21:00', end: '08:00' };
    // 23:30 JST → 08:00 JST next day
    expect(outsideQuietHours(at('2026-11-27T14:30:00Z'), quiet, 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-27T23:00:00.000Z',
    );
    // 03:00 JST → 08:00 JST the same day
    expect(outsideQuietHours(at('2026-11-27T18:00:00Z'), quiet, 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-27T23:00:00.000Z',
    );
    // 12:00 JST: not quiet
    expect(outsideQuietHours(at('2026-11-27T03:00:00Z'), quiet, 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-27T03:00:00.000Z',
    );
  });

  it("a person's own time zone wins, then their country, then the scenario's", () => {
    expect(personTimeZone({ country: 'Japan', customFields: { timeZone: 'Europe/Berlin' } }, 'UTC')).toBe(
      'Europe/Berlin',
    );
    expect(personTimeZone({ country: 'US', customFields: {} }, 'Asia/Tokyo')).toBe('America/New_York');
    expect(personTimeZone({ country: null, customFields: { timeZone: 'nope' } }, 'Asia/Tokyo')).toBe(
      'Asia/Tokyo',
    );
  });
});
