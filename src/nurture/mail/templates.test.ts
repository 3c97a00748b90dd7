import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { sendTemplateMail } from './send.ts';

let t: TestApp;

beforeAll(async () => {
  // No SMTP_URL: messages stay in the outbox.
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

const base = { name: 'Welcome', subject: '{{ person.lastName }} 様', html: '<p>{{ person.company }}</p>' };

async function create(payload: Record<string, unknown>) {
  return t.call({ method: 'POST', url: '/api/v1/email-templates', payload: { ...base, ...payload } });
}

describe('saving a template', () => {
  it('rejects a Liquid syntax error with a 422 naming the part', async () => {
    const r = await create({ name: 'broken', html: '<p>{% if person.company %}open</p>' });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors[0]).toMatchObject({ path: 'html' });
    expect(r.json().errors[0].message).toContain('Liquid syntax error');
    const s = await create({ name: 'broken subject', subject: '{{ person.lastName ' });
    expect(s.statusCode).toBe(422);
    expect(s.json().errors[0].path).toBe('subject');
  });

  it('rejects unknown variables and filters, even inside a branch never taken', async () => {
    const v = await create({ name: 'unknown var', text: '{% if false %}{{ person.shoeSize }}{% endif %}' });
    expect(v.statusCode).toBe(422);
    expect(v.json().errors).toEqual([{ path: 'text', message: 'unknown variable "person.shoeSize"' }]);
    const root = await create({ name: 'unknown root', subject: '{{ customer.name }}' });
    expect(root.json().errors[0]).toEqual({ path: 'subject', message: 'unknown variable "customer.name"' });
    const f = await create({ name: 'unknown filter', html: '<p>{{ person.company | shout }}</p>' });
    expect(f.statusCode).toBe(422);
    expect(f.json().errors[0].path).toBe('html');
  });

  it('refuses the raw filter, which would turn escaping off for lead values', async () => {
    const r = await create({ name: 'raw', html: '<p>{{ person.company | raw }}</p>' });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors[0].path).toBe('html');
  });

  it('saves a valid template, versions edits, and answers 409 for a duplicate name', async () => {
    const r = await create({ name: 'Newsletter', subject: "{{ person.lastName | default: 'ご担当者' }} 様" });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ version: 1, kind: 'marketing', text: null });
    const dup = await create({ name: 'newsletter' });
    expect(dup.statusCode).toBe(409);
    const p = await t.call({
      method: 'PATCH',
      url: `/api/v1/email-templates/${r.json().id}`,
      payload: { subject: '{{ person.company }} ご担当者様' },
    });
    expect(p.json().version).toBe(2);
    const bad = await t.call({
      method: 'PATCH',
      url: `/api/v1/email-templates/${r.json().id}`,
      payload: { html: '{{' },
    });
    expect(bad.statusCode).toBe(422);
    const still = await t.call({ method: 'GET', url: `/api/v1/email-templates/${r.json().id}` });
    expect(still.json().version).toBe(2);
    expect(
      (await t.call({ method: 'POST', url: '/api/v1/email-templates', payload: base, as: 'sales' }))
        .statusCode,
    ).toBe(403);
  });
});

describe('previewing and sending without SMTP', () => {
  let templateId = '';
  let personId = '';

  beforeAll(async () => {
    const tpl = await create({
      name: 'Preview me',
      subject: "{{ person.lastName | default: 'ご担当者' }} 様：資料のご案内",
      preheader: '{{ person.company }} 向けの特別資料',
      html: '<style>.x { font-weight: bold; }</style><p class="x">{{ person.company }}</p><p>{{ account.name | default: "—" }}</p><a href="https://example.jp/doc">資料</a>',
    });
    templateId = tpl.json().id;
    const p = await t.call({
      method: 'POST',
      url: '/api/v1/people',
      payload: { email: 'x@evil.example.jp', company: '<img src=x onerror=alert(1)>商事', consent: true },
    });
    personId = p.json().id;
  });

  it('renders for a chosen person with lead values escaped, defaults for missing values, CSS inlined and a text part', async () => {
    const r = await t.call({
      method: 'POST',
      url: `/api/v1/email-templates/${templateId}/preview`,
      payload: { personId },
    });
    expect(r.statusCode).toBe(200);
    const out = r.json();
    expect(out.subject).toBe('ご担当者 様：資料のご案内');
    expect(out.html).toContain('&lt;img src=x onerror=alert(1)&gt;商事');
    expect(out.html).not.toContain('<img src=x');
    expect(out.html).toContain('style="font-weight: bold;"');
    expect(out.text).toContain('<img src=x onerror=alert(1)>商事');
    expect(out.text).toContain('資料 [https://example.jp/doc]');
    expect(out.text).toContain('配信停止');
    const sample = await t.call({
      method: 'POST',
      url: `/api/v1/email-templates/${templateId}/preview`,
      payload: {},
    });
    expect(sample.json().subject).toBe('山田 様：資料のご案内');
    const unknown = await t.call({
      method: 'POST',
      url: `/api/v1/email-templates/${templateId}/preview`,
      payload: { personId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.statusCode).toBe(422);
  });

  it('previews an unsaved draft and reports its errors by part', async () => {
    const ok = await t.call({
      method: 'POST',
      url: '/api/v1/email-templates/preview',
      payload: { subject: 'Hi {{ person.email }}', html: '<p>x</p>', personId },
    });
    expect(ok.json().subject).toBe('Hi x@evil.example.jp');
    const bad = await t.call({
      method: 'POST',
      url: '/api/v1/email-templates/preview',
      payload: { subject: 'Hi', html: '{% for %}' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('html');
  });

  it('puts a sent mail in the outbox, where it can be listed and read with its headers', async () => {
    const out = await t.db.transaction((tx) =>
      sendTemplateMail(tx, t.ctx, { workspaceId: 1, personId, templateId, idempotencyKey: 'outbox-1' }),
    );
    expect(out.status).toBe('queued');
    await t.worker.drain();
    const list = await t.call({ method: 'GET', url: '/api/v1/outbox?status=outbox' });
    expect(list.json().smtp).toBe(false);
    const item = list
      .json()
      .items.find((m: { id: string }) => out.status === 'queued' && m.id === out.messageId);
    expect(item).toMatchObject({
      to: 'x@evil.example.jp',
      subject: 'ご担当者 様：資料のご案内',
      status: 'outbox',
      kind: 'marketing',
    });
    const one = await t.call({ method: 'GET', url: `/api/v1/outbox/${item.id}` });
    expect(one.json().headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(one.json().html).toContain('/e/c/');
    expect((await t.call({ method: 'GET', url: '/api/v1/outbox', as: 'sales' })).statusCode).toBe(403);
    const stats = await t.call({ method: 'GET', url: `/api/v1/email-templates/${templateId}/stats` });
    expect(stats.json()).toMatchObject({ sent: 1, opened: 0 });
  });

  it('sends a test to any address, marked [TEST], without tracking or an activity', async () => {
    const r = await t.call({
      method: 'POST',
      url: `/api/v1/email-templates/${templateId}/test`,
      payload: { to: 'me@leadflow.test', personId },
    });
    expect(r.statusCode).toBe(202);
    await t.worker.drain();
    const m = await t.call({ method: 'GET', url: `/api/v1/outbox/${r.json().messageId}` });
    expect(m.json()).toMatchObject({ to: 'me@leadflow.test', kind: 'test', status: 'outbox' });
    expect(m.json().subject).toMatch(/^\[TEST\] /);
    expect(m.json().html).not.toContain('/e/o/');
    const acts = await t.db.query(`SELECT 1 FROM activities WHERE person_id = $1 AND type = 'email_sent'`, [
      personId,
    ]);
    expect(acts.rows).toHaveLength(1);
    const bad = await t.call({
      method: 'POST',
      url: `/api/v1/email-templates/${templateId}/test`,
      payload: { to: 'not an address' },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('the public contract', () => {
  it('publishes the segment, template, outbox and public mail paths in the OpenAPI document', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const path of [
      '/api/v1/segments',
      '/api/v1/segments/{id}',
      '/api/v1/segments/{id}/people',
      '/api/v1/segments/preview',
      '/api/v1/email-templates',
      '/api/v1/email-templates/{id}',
      '/api/v1/email-templates/{id}/preview',
      '/api/v1/email-events',
      '/api/v1/outbox',
      '/e/o/{token}',
      '/e/c/{token}',
      '/u/{token}',
    ]) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
  });
});
