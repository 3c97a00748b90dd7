import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { closeMailTransports } from '../../platform/mail.ts';
import { sendTemplateMail, sendTemplateMails } from './send.ts';

/** A real SMTP server on 127.0.0.1 that can be told to refuse the next N messages. */
let smtp: SMTPServer;
let received: ParsedMail[] = [];
let refuseNext = 0;
/** Drop the connection (no answer at all) for the next N messages. */
let dropNext = 0;
let t: TestApp;
let templateId = '';

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      if (dropNext > 0) {
        dropNext--;
        stream.resume();
        // Hang up mid-transaction, as a crashing relay does.
        stream.on('end', () => {
          for (const c of (smtp as unknown as { connections: Set<{ id: string; close(): void }> })
            .connections) {
            if (c.id === session.id) c.close();
          }
        });
        return;
      }
      if (refuseNext > 0) {
        refuseNext--;
        stream.resume();
        stream.on('end', () =>
          callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 })),
        );
        return;
      }
      simpleParser(stream)
        .then((m) => {
          received.push(m);
          callback();
        })
        .catch(callback);
    },
  });
  // A client that drops its connection (a killed worker) is normal for an SMTP server, not a crash.
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  t = await createTestApp({
    SMTP_URL: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    LEADFLOW_MAIL_FROM: 'Leadflow <news@leadflow.test>',
  });
  await t.call({
    method: 'PUT',
    url: '/api/v1/mail/settings',
    payload: {
      senderName: '株式会社リードフロー',
      postalAddress: '東京都千代田区丸の内1-1-1',
      contact: '03-1234-5678',
      ratePerSecond: 50,
      requireConsent: true,
    },
  });
  const res = await t.call({
    method: 'POST',
    url: '/api/v1/email-templates',
    payload: {
      name: 'Seminar invitation',
      subject: "{{ person.lastName | default: 'ご担当者' }} 様：【無料セミナー】営業DXのご案内",
      html: `<html><head><style>.lead{color:#c00}</style></head><body><p class="lead">{{ person.company }} {{ person.lastName | default: 'ご担当者' }} 様</p>
<p><a href="https://example.jp/seminar?a=1&amp;b=2">お申し込みはこちら</a></p></body></html>`,
    },
  });
  expect(res.statusCode).toBe(201);
  templateId = res.json().id;
});

afterAll(async () => {
  closeMailTransports();
  await t?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  refuseNext = 0;
  dropNext = 0;
});

let seq = 0;
async function person(fields: Record<string, unknown> = {}): Promise<string> {
  seq++;
  const res = await t.call({
    method: 'POST',
    url: '/api/v1/people',
    payload: { email: `lead${seq}@example.jp`, lastName: '佐藤', consent: true, ...fields },
  });
  expect(res.statusCode).toBeLessThan(300);
  return res.json().id;
}

function send(personId: string, key: string) {
  return t.db.transaction((tx) =>
    sendTemplateMail(tx, t.ctx, { workspaceId: 1, personId, templateId, idempotencyKey: key }),
  );
}

/** Runs due jobs; with `later`, first makes retries that wait for their backoff due now. */
async function deliver(later = false) {
  if (later)
    await t.db.query(
      `UPDATE jobs SET run_at = now() - interval '1 second' WHERE status = 'pending' AND queue = 'mail.send'`,
    );
  await t.worker.drain();
}

function header(m: ParsedMail, name: string): string {
  const line = m.headerLines.find((h) => h.key === name.toLowerCase());
  return line
    ? line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\r?\n\s+/g, ' ')
        .trim()
    : '';
}

describe('delivering a marketing mail over SMTP', () => {
  it('arrives once, readable in Japanese, with lead values escaped, the sender identity and one-click unsubscribe headers', async () => {
    const id = await person({ company: '<script>alert(1)</script>株式会社テスト' });
    const out = await send(id, 'k-basic');
    expect(out.status).toBe('queued');
    expect((await send(id, 'k-basic')).status).toBe('duplicate');
    await deliver();
    expect(received).toHaveLength(1);
    const m = received[0];
    expect(m.subject).toBe('佐藤 様：【無料セミナー】営業DXのご案内');
    expect(m.from?.value[0]).toMatchObject({ name: '株式会社リードフロー', address: 'news@leadflow.test' });
    const html = String(m.html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;株式会社テスト');
    expect(html).not.toContain('<script>');
    expect(html).toContain('style="color: #c00;"');
    expect(html).not.toContain('<style>');
    // Sender name, postal address and contact in the footer (特定電子メール法), and a visible unsubscribe link.
    for (const s of ['株式会社リードフロー', '東京都千代田区丸の内1-1-1', '03-1234-5678', '配信停止']) {
      expect(html).toContain(s);
      expect(m.text).toContain(s);
    }
    const lu = header(m, 'List-Unsubscribe');
    expect(m.headerLines.filter((h) => h.key === 'list-unsubscribe')).toHaveLength(1);
    expect(lu).toMatch(/^<http:\/\/leadflow\.test\/u\/[^>]+>, <mailto:news@leadflow\.test\?subject=[^>]+>$/);
    expect(header(m, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const msg = await t.db.query<{ status: string }>('SELECT status FROM mail_messages WHERE id = $1', [
      out.status === 'queued' ? out.messageId : '',
    ]);
    expect(msg.rows[0].status).toBe('sent');
    const acts = await t.db.query<{ type: string }>(
      `SELECT type FROM activities WHERE person_id = $1 AND type LIKE 'email_%'`,
      [id],
    );
    expect(acts.rows.map((a) => a.type)).toEqual(['email_sent']);
  });

  it('records opens once per message and clicks, redirecting only to the link that was in the mail', async () => {
    const id = await person();
    await send(id, 'k-track');
    await deliver();
    const html = String(received[0].html);
    const pixel = /src="http:\/\/leadflow\.test(\/e\/o\/[^"]+)"/.exec(html)?.[1] as string;
    const link = /href="http:\/\/leadflow\.test(\/e\/c\/[^"]+)"/.exec(html)?.[1] as string;
    expect(pixel).toBeTruthy();
    expect(link).toBeTruthy();
    for (let i = 0; i < 2; i++) {
      const r = await t.app.inject({ method: 'GET', url: pixel });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('image/gif');
    }
    const click = await t.app.inject({ method: 'GET', url: link.replace(/&amp;/g, '&') });
    expect(click.statusCode).toBe(302);
    const target = new URL(String(click.headers.location));
    expect(`${target.origin}${target.pathname}`).toBe('https://example.jp/seminar');
    expect(target.searchParams.get('a')).toBe('1');
    expect(target.searchParams.get('b')).toBe('2');
    expect(target.searchParams.get('lf_id')).toBeTruthy();
    const acts = await t.db.query<{ type: string; url: string | null }>(
      `SELECT type, properties->>'url' AS url FROM activities WHERE person_id = $1 AND type IN ('email_open', 'email_click') ORDER BY id`,
      [id],
    );
    expect(acts.rows).toEqual([
      { type: 'email_open', url: null },
      { type: 'email_click', url: 'https://example.jp/seminar?a=1&b=2' },
    ]);
    const counts = await t.db.query<{ open_count: number; click_count: number }>(
      'SELECT open_count, click_count FROM mail_messages WHERE person_id = $1',
      [id],
    );
    expect(counts.rows[0]).toEqual({ open_count: 2, click_count: 1 });
    // A token changed by hand redirects nowhere.
    const forged = link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await t.app.inject({ method: 'GET', url: forged })).statusCode).toBe(404);
  });

  it('one POST to the List-Unsubscribe URL unsubscribes for good: no more marketing mail, even one already queued', async () => {
    const id = await person();
    await send(id, 'k-unsub-1');
    await deliver();
    const url = /<(http[^>]+)>/.exec(header(received[0], 'List-Unsubscribe'))?.[1] as string;
    received = [];
    // Queued before the unsubscribe, delivered after it.
    const queuedBefore = await send(id, 'k-unsub-queued');
    if (queuedBefore.status !== 'queued') throw new Error(queuedBefore.status);
    // What a mail client does for RFC 8058: POST with this exact body, no cookies, no confirmation.
    const r = await t.app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(r.statusCode).toBe(200);
    const p = (await t.call({ method: 'GET', url: `/api/v1/people/${id}` })).json();
    expect(p.consent).toBe(false);
    expect(p.unsubscribedAt).not.toBeNull();
    expect(await send(id, 'k-unsub-2')).toEqual({ status: 'suppressed', reason: 'unsubscribed' });
    await deliver();
    expect(received.filter((m) => m.to && JSON.stringify(m.to).includes(p.email))).toHaveLength(0);
    expect(received).toHaveLength(0);
    const s = await t.db.query<{ status: string }>('SELECT status FROM mail_messages WHERE id = $1', [
      queuedBefore.messageId,
    ]);
    expect(s.rows[0].status).toBe('suppressed');
    const unsub = await t.db.query(`SELECT 1 FROM activities WHERE person_id = $1 AND type = 'unsubscribe'`, [
      id,
    ]);
    expect(unsub.rows).toHaveLength(1);
    // A second POST changes nothing and still answers 200.
    expect((await t.app.inject({ method: 'POST', url: new URL(url).pathname, payload: {} })).statusCode).toBe(
      200,
    );
    expect(
      (await t.db.query(`SELECT 1 FROM activities WHERE person_id = $1 AND type = 'unsubscribe'`, [id])).rows,
    ).toHaveLength(1);
  });

  it('the unsubscribe page needs no login and shows one button, in Japanese for a ja browser', async () => {
    const id = await person();
    await send(id, 'k-page');
    await deliver();
    const url = /<(http[^>]+)>/.exec(header(received[0], 'List-Unsubscribe'))?.[1] as string;
    const page = await t.app.inject({
      method: 'GET',
      url: new URL(url).pathname,
      headers: { 'accept-language': 'ja,en;q=0.8' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('配信を停止する');
    expect(page.body).toContain('株式会社リードフロー');
    const en = await t.app.inject({
      method: 'GET',
      url: new URL(url).pathname,
      headers: { 'accept-language': 'en-US' },
    });
    expect(en.body).toContain('Unsubscribe');
    expect((await t.app.inject({ method: 'GET', url: '/u/not-a-real-token-at-all' })).statusCode).toBe(404);
  });

  it('an SMTP server that refuses and then accepts delivers exactly one copy, with the failure recorded', async () => {
    const id = await person();
    refuseNext = 2;
    const out = await send(id, 'k-refuse');
    if (out.status !== 'queued') throw new Error(out.status);
    await deliver();
    let m = await t.db.query<{ status: string; last_error: string | null; attempts: number }>(
      'SELECT status, last_error, attempts FROM mail_messages WHERE id = $1',
      [out.messageId],
    );
    expect(m.rows[0].status).toBe('queued');
    expect(m.rows[0].last_error).toContain('Try again later');
    await deliver(true);
    await deliver(true);
    expect(received).toHaveLength(1);
    m = await t.db.query('SELECT status, last_error, attempts FROM mail_messages WHERE id = $1', [
      out.messageId,
    ]);
    expect(m.rows[0]).toMatchObject({ status: 'sent', last_error: null, attempts: 3 });
    await deliver(true);
    expect(received).toHaveLength(1);
  });

  it('a batch of messages where the server refuses some: the others go once, the refused are retried alone', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(() => person()));
    const queued: string[] = [];
    for (const [i, id] of ids.entries()) {
      const out = await send(id, `k-batch-${i}`);
      if (out.status !== 'queued') throw new Error(out.status);
      queued.push(out.messageId);
    }
    refuseNext = 2;
    await deliver();
    const after = async () =>
      (
        await t.db.query<{ status: string; n: number; errors: number }>(
          `SELECT status, count(*)::int AS n, count(last_error)::int AS errors FROM mail_messages WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status`,
          [queued],
        )
      ).rows;
    expect(await after()).toEqual([
      { status: 'queued', n: 2, errors: 2 },
      { status: 'sent', n: 4, errors: 0 },
    ]);
    expect(received).toHaveLength(4);
    await deliver(true);
    expect(await after()).toEqual([{ status: 'sent', n: 6, errors: 0 }]);
    expect(received).toHaveLength(6);
    expect(new Set(received.map((m) => JSON.stringify(m.to))).size).toBe(6);
  });

  it('queues a batch in order: duplicates, no consent and no address answered per person, one message and one activity for each of the rest', async () => {
    const good = await Promise.all([1, 2, 3].map(() => person()));
    const noConsent = await person({ consent: false });
    const r = await t.db.query<{ id: string }>(
      `INSERT INTO people (workspace_id, email, consent) VALUES (1, 'no-address', true) RETURNING id`,
    );
    const first = await send(good[0], 'k-many-0');
    const outcomes = await t.db.transaction((tx) =>
      sendTemplateMails(
        tx,
        t.ctx,
        1,
        [good[0], good[1], noConsent, r.rows[0].id, good[2], good[1]].map((personId, i) => ({
          workspaceId: 1,
          personId,
          templateId,
          // The last one repeats the second's key.
          idempotencyKey: `k-many-${i === 5 ? 1 : i}`,
        })),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['duplicate', 'queued', 'suppressed', 'no_email', 'queued', 'duplicate']);
    expect(outcomes[0]).toEqual({ status: 'duplicate', messageId: (first as { messageId: string }).messageId });
    expect(outcomes[5]).toEqual({ status: 'duplicate', messageId: (outcomes[1] as { messageId: string }).messageId });
    const acts = await t.db.query<{ person_id: string; n: number }>(
      `SELECT person_id, count(*)::int AS n FROM activities WHERE type = 'email_sent' AND person_id = ANY($1::uuid[]) GROUP BY person_id`,
      [good],
    );
    expect(acts.rows.map((a) => a.n)).toEqual([1, 1, 1]);
    await deliver();
    expect(received).toHaveLength(3);
  });

  it('a dropped connection is retried and the message delivered exactly once', async () => {
    const id = await person();
    dropNext = 1;
    const out = await send(id, 'k-drop');
    if (out.status !== 'queued') throw new Error(out.status);
    await deliver();
    let m = await t.db.query<{ status: string; last_error: string | null }>(
      'SELECT status, last_error FROM mail_messages WHERE id = $1',
      [out.messageId],
    );
    expect(m.rows[0].status).toBe('queued');
    expect(m.rows[0].last_error).toBeTruthy();
    expect(received).toHaveLength(0);
    await deliver(true);
    m = await t.db.query('SELECT status, last_error FROM mail_messages WHERE id = $1', [out.messageId]);
    expect(m.rows[0].status).toBe('sent');
    expect(received).toHaveLength(1);
  });

  it('a message that keeps failing is marked failed after its last attempt, never dropped silently', async () => {
    const id = await person();
    refuseNext = 100;
    const out = await send(id, 'k-fail');
    if (out.status !== 'queued') throw new Error(out.status);
    for (let i = 0; i < 10; i++) await deliver(true);
    const m = await t.db.query<{ status: string; last_error: string }>(
      'SELECT status, last_error FROM mail_messages WHERE id = $1',
      [out.messageId],
    );
    expect(m.rows[0].status).toBe('failed');
    expect(m.rows[0].last_error).toContain('Try again later');
    refuseNext = 0;
    const retry = await t.call({ method: 'POST', url: `/api/v1/outbox/${out.messageId}/retry` });
    expect(retry.statusCode).toBe(200);
    await deliver();
    expect(received).toHaveLength(1);
  });

  it('people without consent or a usable address get no mail, and say why', async () => {
    const noConsent = await person({ consent: false });
    expect(await send(noConsent, 'k-nc')).toEqual({ status: 'suppressed', reason: 'no_consent' });
    const r = await t.db.query<{ id: string }>(
      `INSERT INTO people (workspace_id, email, consent) VALUES (1, 'not-an-address', true) RETURNING id`,
    );
    expect(await send(r.rows[0].id, 'k-ne')).toEqual({ status: 'no_email' });
    const count = await t.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM mail_messages WHERE idempotency_key IN ('k-nc', 'k-ne')`,
    );
    expect(count.rows[0].n).toBe(0);
  });

  it('a reported hard bounce or complaint suppresses the address; a soft bounce does not', async () => {
    const bounced = await person();
    const out = await send(bounced, 'k-b1');
    if (out.status !== 'queued') throw new Error(out.status);
    const soft = await t.call({
      method: 'POST',
      url: '/api/v1/email-events',
      payload: { type: 'bounce', bounceType: 'soft', messageId: out.messageId },
    });
    expect(soft.json().items[0].suppressed).toBe(false);
    expect((await send(bounced, 'k-b2')).status).toBe('queued');
    const hard = await t.call({
      method: 'POST',
      url: '/api/v1/email-events',
      payload: { type: 'bounce', messageId: out.messageId, detail: '550 5.1.1 user unknown' },
    });
    expect(hard.statusCode).toBe(200);
    expect(hard.json().items[0]).toMatchObject({ suppressed: true, personId: bounced });
    expect(await send(bounced, 'k-b3')).toEqual({ status: 'suppressed', reason: 'bounced' });

    const complainer = await person();
    const email = (await t.call({ method: 'GET', url: `/api/v1/people/${complainer}` })).json().email;
    await t.call({
      method: 'POST',
      url: '/api/v1/email-events',
      payload: { items: [{ type: 'complaint', email }] },
    });
    expect(await send(complainer, 'k-c1')).toEqual({ status: 'suppressed', reason: 'complained' });
    const acts = await t.db.query<{ type: string }>(
      `SELECT type FROM activities WHERE person_id = $1 ORDER BY id`,
      [complainer],
    );
    expect(acts.rows.map((a) => a.type)).toEqual(expect.arrayContaining(['email_complaint', 'unsubscribe']));
    const bad = await t.call({ method: 'POST', url: '/api/v1/email-events', payload: { type: 'bounce' } });
    expect(bad.statusCode).toBe(400);
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/v1/email-events',
          payload: { type: 'bounce', email },
          as: 'viewer',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('keeps to the configured rate across the shared counter', async () => {
    await t.call({
      method: 'PUT',
      url: '/api/v1/mail/settings',
      payload: { senderName: '株式会社リードフロー', ratePerSecond: 2 },
    });
    await t.db.query('DELETE FROM mail_rate_slots');
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => person()));
    for (const [i, id] of ids.entries()) await send(id, `k-rate-${i}`);
    await deliver();
    expect(received).toHaveLength(5);
    const slots = await t.db.query<{ max: number; seconds: number }>(
      'SELECT max(sent) AS max, count(*) AS seconds FROM mail_rate_slots',
    );
    expect(slots.rows[0].max).toBeLessThanOrEqual(2);
    expect(slots.rows[0].seconds).toBeGreaterThanOrEqual(3);
    await t.call({
      method: 'PUT',
      url: '/api/v1/mail/settings',
      payload: { senderName: '株式会社リードフロー', ratePerSecond: 50 },
    });
  });
});
