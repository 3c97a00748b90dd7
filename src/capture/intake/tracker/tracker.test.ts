import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.ts';
import { identifyVisitor, signIdentityToken } from '../../identify.ts';
import { issueFillToken } from '../forms/submit.ts';
import { COLLECT_PER_MINUTE } from './collect.ts';
import { scoreTrackedVisitors, TRACKER_SCORING_QUEUE } from './scoring.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const collect = (body: unknown, contentType = 'text/plain;charset=UTF-8') =>
  t.app.inject({
    method: 'POST',
    url: '/t/collect',
    headers: { 'content-type': contentType, origin: 'https://www.customer.example' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
const view = (visitorId: string, path: string, extra: Record<string, unknown> = {}) =>
  collect({
    type: 'page_view',
    visitorId,
    url: `https://www.customer.example${path}`,
    title: `ページ ${path}`,
    referrer: 'https://www.google.com/',
    ...extra,
  });
const activitiesOf = async (visitorId: string) =>
  (
    await t.db.query<{ person_id: string | null; properties: Record<string, unknown> }>(
      'SELECT person_id, properties FROM activities WHERE visitor_id = $1 ORDER BY id',
      [visitorId],
    )
  ).rows;
const newPerson = async (email: string) =>
  (await t.call({ method: 'POST', url: '/api/v1/people', payload: { email, lastName: 'テスト' } })).json()
    .id as string;

describe('GET /t.js', () => {
  it('is a dependency-free script under 5 KB gzipped, cacheable, for any origin', async () => {
    const source = readFileSync(new URL('../../../../tracker/t.js', import.meta.url));
    expect(gzipSync(source).length).toBeLessThan(5 * 1024);
    expect(source.toString()).not.toMatch(/\b(import|require)\s*\(/);
    const r = await t.app.inject({ method: 'GET', url: '/t.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/javascript');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.body).toBe(source.toString());
  });
});

describe('POST /t/collect', () => {
  it('records an anonymous page view with URL, title, referrer and UTM, answering 204 to any origin', async () => {
    const r = await view('visitor-anon-0001', '/pricing?utm_source=google&utm_medium=cpc');
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    const rows = await activitiesOf('visitor-anon-0001');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      person_id: null,
      properties: {
        url: 'https://www.customer.example/pricing?utm_source=google&utm_medium=cpc',
        path: '/pricing',
        title: 'ページ /pricing?utm_source=google&utm_medium=cpc',
        referrer: 'https://www.google.com/',
        utm_source: 'google',
      },
    });
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: '/t/collect',
      headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
  });

  it('also takes a JSON body (sendBeacon or a server) and refuses garbage with a 400, never a 500', async () => {
    expect(
      (
        await collect(
          { type: 'page_view', visitorId: 'visitor-json-0001', url: 'https://a.example/' },
          'application/json',
        )
      ).statusCode,
    ).toBe(204);
    expect((await collect('not json')).statusCode).toBe(400);
    expect(
      (await collect({ type: 'page_view', visitorId: 'bad id!', url: 'https://a.example/' })).statusCode,
    ).toBe(400);
    expect(
      (await collect({ type: 'page_view', visitorId: 'visitor-json-0001', url: 'javascript:alert(1)' }))
        .statusCode,
    ).toBe(400);
    expect((await collect({ type: 'purchase', visitorId: 'visitor-json-0001' })).statusCode).toBe(400);
  });

  it(`limits one visitor to ${COLLECT_PER_MINUTE} events a minute with a 429, without slowing anyone else`, async () => {
    const results = [];
    for (let i = 0; i < COLLECT_PER_MINUTE + 3; i++)
      results.push((await view('visitor-flood-0001', `/p/${i}`)).statusCode);
    expect(results.filter((s) => s === 204)).toHaveLength(COLLECT_PER_MINUTE);
    expect(results.slice(-3)).toEqual([429, 429, 429]);
    expect(await activitiesOf('visitor-flood-0001')).toHaveLength(COLLECT_PER_MINUTE);
    expect((await view('visitor-calm-0001', '/')).statusCode).toBe(204);
  });

  it('writes a burst of page views together and still holds every visitor to the limit', async () => {
    const burst = await Promise.all([
      ...Array.from({ length: COLLECT_PER_MINUTE + 10 }, (_, i) => view('visitor-burst-0001', `/b/${i}`)),
      ...Array.from({ length: 50 }, (_, i) => view(`visitor-crowd-${String(i).padStart(4, '0')}`, '/crowd')),
    ]);
    const codes = burst.map((r) => r.statusCode);
    expect(codes.slice(0, COLLECT_PER_MINUTE + 10).filter((c) => c === 204)).toHaveLength(COLLECT_PER_MINUTE);
    expect(codes.slice(0, COLLECT_PER_MINUTE + 10).filter((c) => c === 429)).toHaveLength(10);
    expect(codes.slice(COLLECT_PER_MINUTE + 10).every((c) => c === 204)).toBe(true);
    expect(await activitiesOf('visitor-burst-0001')).toHaveLength(COLLECT_PER_MINUTE);
    const crowd = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM activities WHERE visitor_id LIKE 'visitor-crowd-%'",
    );
    expect(crowd.rows[0].n).toBe(50);
  });

  it('never identifies a visitor from an e-mail address in an event, nor from a forged token', async () => {
    await newPerson('ceo@victim.co.jp');
    await view('visitor-forger-01', '/', { email: 'ceo@victim.co.jp', personId: 'x' });
    const forged = `${Buffer.from(JSON.stringify({ w: 1, p: 'someone', e: Date.now() + 1e6 })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    await view('visitor-forger-01', '/again', { token: forged });
    const rows = await activitiesOf('visitor-forger-01');
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.person_id === null)).toBe(true);
    const links = await t.db.query('SELECT 1 FROM tracker_visitors WHERE visitor_id = $1', [
      'visitor-forger-01',
    ]);
    expect(links.rows).toHaveLength(0);
  });
});

describe('identification: anonymous history joins the person’s timeline', () => {
  it('merges the page views before a form submission into the person’s timeline, and files later ones there directly', async () => {
    const vid = 'visitor-becomes-lead-01';
    await view(vid, '/');
    await view(vid, '/product');
    await view(vid, '/pricing');
    const form = (
      await t.call({
        method: 'POST',
        url: '/api/v1/forms',
        payload: {
          name: '資料請求',
          fields: [{ key: 'email', label: 'メール', type: 'email', required: true }],
        },
      })
    ).json();
    const r = await t.app.inject({
      method: 'POST',
      url: `/f/${form.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _lf_ts: issueFillToken(t.ctx.secret, form.id, new Date(Date.now() - 10_000)),
        email: 'lead@visitor.co.jp',
        _lf_visitor: vid,
      }).toString(),
    });
    expect(r.statusCode).toBe(200);
    const personId = (
      await t.db.query<{ id: string }>("SELECT id FROM people WHERE email = 'lead@visitor.co.jp'")
    ).rows[0].id;
    await view(vid, '/case-studies');
    const timeline = (await t.call({ method: 'GET', url: `/api/v1/people/${personId}/timeline` })).json();
    const urls = timeline.items
      .filter((i: { type: string }) => i.type === 'page_view')
      .map((i: { properties: { path: string } }) => i.properties.path);
    expect(urls.sort()).toEqual(['/', '/case-studies', '/pricing', '/product']);
    expect(timeline.items.some((i: { type: string }) => i.type === 'form_submit')).toBe(true);
  });

  it('identifies a visitor who arrives from a tracked e-mail link (signed lf_id token)', async () => {
    const personId = await newPerson('clicker@towa-seiki.co.jp');
    const vid = 'visitor-mail-click-01';
    await view(vid, '/blog');
    const token = signIdentityToken(t.ctx.secret, 1, personId);
    expect((await view(vid, '/webinar', { token })).statusCode).toBe(204);
    const rows = await activitiesOf(vid);
    expect(rows.map((r) => r.person_id)).toEqual([personId, personId]);
  });

  it('identifyVisitor merges only anonymous history, is idempotent, and schedules a rescore', async () => {
    const a = await newPerson('first-owner@towa-seiki.co.jp');
    const b = await newPerson('second-owner@towa-seiki.co.jp');
    const vid = 'visitor-shared-pc-01';
    await view(vid, '/1');
    expect(await t.db.transaction((tx) => identifyVisitor(tx, 1, vid, a))).toBe(1);
    expect(await t.db.transaction((tx) => identifyVisitor(tx, 1, vid, a))).toBe(0);
    await view(vid, '/2');
    // The same browser later identified as someone else: what was already theirs stays theirs.
    expect(await t.db.transaction((tx) => identifyVisitor(tx, 1, vid, b))).toBe(0);
    await view(vid, '/3');
    expect((await activitiesOf(vid)).map((r) => r.person_id)).toEqual([a, a, b]);
    expect(await markedForRescore()).toContain(a);
    expect(await pendingRefreshJobs()).toBeGreaterThan(0);
  });

  it('hands people who browsed since the last run to scoring in the background, once', async () => {
    const personId = await newPerson('browser@towa-seiki.co.jp');
    const vid = 'visitor-scored-0001';
    await t.db.transaction((tx) => identifyVisitor(tx, 1, vid, personId));
    await t.db.query('DELETE FROM scoring_dirty');
    await view(vid, '/pricing');
    const run = () =>
      scoreTrackedVisitors(
        {},
        {
          ...t.ctx,
          job: { id: 0, queue: TRACKER_SCORING_QUEUE, payload: {}, key: null, attempts: 1, max_attempts: 1 },
        },
      );
    await run();
    expect(await markedForRescore()).toContain(personId);
    // The watermark moved: a second run does not hand the same page view over again.
    await t.db.query('DELETE FROM scoring_dirty');
    await run();
    expect(await markedForRescore()).not.toContain(personId);
  });
});

async function markedForRescore(): Promise<string[]> {
  const r = await t.db.query<{ person_id: string }>('SELECT person_id FROM scoring_dirty');
  return r.rows.map((x) => x.person_id);
}

async function pendingRefreshJobs(): Promise<number> {
  const r = await t.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM jobs WHERE queue = 'scoring.refresh' AND status = 'pending'",
  );
  return r.rows[0].n;
}
