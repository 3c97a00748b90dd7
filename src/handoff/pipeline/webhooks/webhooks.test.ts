import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.ts';
import { verifyWebhook } from '../../../platform/webhook-signature.ts';
import { retryDelaySeconds, retryPolicy } from './deliveries.ts';

// A local receiver needs loopback; production refuses it unless this is set explicitly.
process.env.WEBHOOKS_ALLOW_PRIVATE = '1';

interface Received {
  path: string;
  body: string;
  signature: string;
  json: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
}

/** A real HTTP receiver on 127.0.0.1; `plan` decides each answer per path (status code, or 'hang'). */
class Receiver {
  server: Server;
  received: Received[] = [];
  plan = new Map<string, (number | 'hang')[]>();
  /** People whose next event is answered with 500, once. */
  failOnceFor = new Set<string>();
  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        this.received.push({
          path,
          body,
          signature: String(req.headers['leadflow-signature']),
          json: JSON.parse(body),
        });
        const personId = String(JSON.parse(body).data?.personId);
        const failOnce = this.failOnceFor.delete(personId);
        const next = failOnce ? 500 : (this.plan.get(path)?.shift() ?? 200);
        if (next === 'hang') return;
        res.writeHead(next, { 'content-type': 'text/plain' }).end(next < 300 ? 'ok' : 'nope');
      });
    });
  }
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return this;
  }
  url(path: string) {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }
  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }
  async stop() {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

let t: TestApp;
let rx: Receiver;
beforeAll(async () => {
  t = await createTestApp();
  rx = await new Receiver().start();
});
afterAll(async () => {
  await rx?.stop();
  await t?.close();
});

const subscribe = async (path: string, events: string[], extra: Record<string, unknown> = {}) => {
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/webhooks',
    payload: { url: rx.url(path), events, ...extra },
  });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string; secret: string };
};
const deliveries = async (subId: string) =>
  (await t.call({ method: 'GET', url: `/api/v1/webhooks/${subId}/deliveries` })).json().items as {
    id: number;
    eventId: string;
    status: string;
    attempts: number;
    nextAttemptAt: string | null;
    replayOf: number | null;
    attemptLog: {
      attempt: number;
      at: string;
      statusCode: number | null;
      durationMs: number;
      error: string | null;
    }[];
  }[];
let seq = 0;
const newPerson = async () => {
  seq++;
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/people',
    payload: { email: `hook${seq}@webhook-${seq}.co.jp`, lastName: '佐藤' },
  });
  return r.json() as { id: string };
};
/** Makes every scheduled retry due now, as if the backoff had elapsed. */
const elapseBackoff = async () => {
  await t.db.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending'`);
  await t.db.query(`UPDATE jobs SET run_at = now() WHERE queue = 'webhooks.deliver' AND status = 'pending'`);
};

describe('subscriptions', () => {
  it('shows the secret once, on creation, and only a hint afterwards', async () => {
    const s = await subscribe('/once', ['person.created']);
    expect(s.secret).toMatch(/^whsec_/);
    const got = (await t.call({ method: 'GET', url: `/api/v1/webhooks/${s.id}` })).json();
    expect(got.secret).toBeUndefined();
    expect(got.secretHint).toBe(s.secret.slice(-4));
    const list = (await t.call({ method: 'GET', url: '/api/v1/webhooks' })).json();
    expect(JSON.stringify(list)).not.toContain(s.secret);
    expect((await t.call({ method: 'GET', url: '/api/v1/webhooks', as: 'marketing' })).statusCode).toBe(403);
    await t.call({ method: 'DELETE', url: `/api/v1/webhooks/${s.id}` });
  });

  it('refuses URLs at our own server, loopback, private or link-local addresses and non-http schemes (SSRF)', async () => {
    const refuse = async (url: string) => {
      const r = await t.call({ method: 'POST', url: '/api/v1/webhooks', payload: { url, events: ['*'] } });
      expect(r.statusCode, url).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().errors[0].path).toBe('url');
    };
    await refuse('http://leadflow.test/api/v1/people');
    // Loopback on the port Leadflow listens on is this server, even with private targets allowed.
    await refuse(`http://127.0.0.1:${t.ctx.config.port}/api/v1/people`);
    await refuse(`http://localhost:${t.ctx.config.port}/`);
    await refuse('ftp://example.com/hook');
    await refuse('file:///etc/passwd');
    await refuse('javascript:alert(1)');
    await refuse('https://user:pw@example.com/hook');
    process.env.WEBHOOKS_ALLOW_PRIVATE = '0';
    try {
      for (const url of [
        rx.url('/x'),
        'http://localhost:8080/',
        'http://10.1.2.3/hook',
        'http://192.168.0.10/hook',
        'http://172.20.0.1/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://0.0.0.0/',
      ]) {
        await refuse(url);
      }
    } finally {
      process.env.WEBHOOKS_ALLOW_PRIVATE = '1';
    }
    const before = (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM webhook_subscriptions'))
      .rows[0].n;
    expect(before).toBe(0);
  });

  it('refuses an event list that is empty or malformed, naming the field', async () => {
    const r = await t.call({
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { url: rx.url('/bad'), events: [] },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].path).toContain('events');
  });
});

describe('deliveries', () => {
  it('delivers a signed {id, type, occurredAt, data} body that verifies with the secret, and logs status and time', async () => {
    const s = await subscribe('/signed', ['person.created']);
    const p = await newPerson();
    await t.worker.drain();
    const got = rx.at('/signed');
    expect(got).toHaveLength(1);
    expect(verifyWebhook(s.secret, got[0].body, got[0].signature, new Date())).toBe(true);
    expect(verifyWebhook('whsec_wrong', got[0].body, got[0].signature, new Date())).toBe(false);
    expect(got[0].json).toMatchObject({ type: 'person.created', data: { personId: p.id } });
    expect(Object.keys(got[0].json).sort()).toEqual(['data', 'id', 'occurredAt', 'type']);
    const log = await deliveries(s.id);
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 1, eventId: got[0].json.id });
    expect(log[0].attemptLog[0]).toMatchObject({ attempt: 1, statusCode: 200, error: null });
    expect(log[0].attemptLog[0].durationMs).toBeGreaterThanOrEqual(0);
    await t.call({ method: 'PATCH', url: `/api/v1/webhooks/${s.id}`, payload: { enabled: false } });
  });

  it('retries a failing receiver with exponential backoff until it answers 2xx', async () => {
    const s = await subscribe('/flaky', ['person.created']);
    rx.plan.set('/flaky', [500, 503]);
    await newPerson();
    await t.worker.drain();
    let [d] = await deliveries(s.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1 });
    const policy = retryPolicy();
    const delay = (x: typeof d) =>
      (new Date(x.nextAttemptAt as string).getTime() -
        new Date(x.attemptLog.at(-1)?.at as string).getTime()) /
      1000;
    expect(delay(d)).toBe(retryDelaySeconds(1, policy));
    await elapseBackoff();
    await t.worker.drain();
    [d] = await deliveries(s.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 2 });
    expect(delay(d)).toBe(2 * retryDelaySeconds(1, policy));
    await elapseBackoff();
    await t.worker.drain();
    [d] = await deliveries(s.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, nextAttemptAt: null });
    expect(d.attemptLog.map((a) => a.statusCode)).toEqual([500, 503, 200]);
    const ids = rx.at('/flaky').map((r) => r.json.id);
    expect(new Set(ids).size).toBe(1);
    await t.call({ method: 'PATCH', url: `/api/v1/webhooks/${s.id}`, payload: { enabled: false } });
  });

  it('keeps the order per person: a later event waits until the earlier one is delivered', async () => {
    const s = await subscribe('/ordered', ['person.updated']);
    const p = await newPerson();
    const other = await newPerson();
    await t.worker.drain();
    rx.failOnceFor.add(p.id);
    await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: '部長' } });
    await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: '本部長' } });
    await t.call({ method: 'PATCH', url: `/api/v1/people/${other.id}`, payload: { title: '課長' } });
    await t.worker.drain();
    // The first event failed; the second for the same person waits; another person is not held up.
    expect(
      rx
        .at('/ordered')
        .map((r) => r.json.data.personId)
        .sort(),
    ).toEqual([p.id, other.id].sort());
    await elapseBackoff();
    await t.worker.drain();
    const got = rx.at('/ordered').filter((r) => r.json.data.personId === p.id);
    expect(got).toHaveLength(3);
    expect(got[0].json.id).toBe(got[1].json.id);
    expect(Number(got[2].json.id)).toBeGreaterThan(Number(got[1].json.id));
    const log = await deliveries(s.id);
    expect(log.every((d) => d.status === 'delivered')).toBe(true);
    await t.call({ method: 'PATCH', url: `/api/v1/webhooks/${s.id}`, payload: { enabled: false } });
  });

  it('an event whose fan-out is still waiting holds back the later events of that person', async () => {
    const s = await subscribe('/fanout-order', ['person.updated']);
    const p = await newPerson();
    await t.worker.drain();
    await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: '一' } });
    const first = await t.db.query<{ id: number }>(`SELECT max(id) AS id FROM events WHERE person_id = $1`, [
      p.id,
    ]);
    // Another worker is slow to fan out the first event.
    await t.db.query(`UPDATE jobs SET run_at = now() + interval '1 hour' WHERE key = $1`, [
      `webhooks.fanout:${first.rows[0].id}`,
    ]);
    await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: '二' } });
    await t.worker.drain();
    expect(rx.at('/fanout-order')).toHaveLength(0);
    await t.db.query(`UPDATE jobs SET run_at = now() WHERE status = 'pending' AND queue LIKE 'webhooks.%'`);
    await t.worker.drain();
    expect(rx.at('/fanout-order').map((r) => Number(r.json.id))[0]).toBe(Number(first.rows[0].id));
    expect(rx.at('/fanout-order')).toHaveLength(2);
    await t.call({ method: 'PATCH', url: `/api/v1/webhooks/${s.id}`, payload: { enabled: false } });
  });

  it('gives up after the attempts allowed and then lets the next event of that person through', async () => {
    process.env.WEBHOOKS_MAX_ATTEMPTS = '2';
    try {
      const s = await subscribe('/dead', ['person.updated']);
      const p = await newPerson();
      rx.plan.set('/dead', [500, 500]);
      await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: 'A' } });
      await t.call({ method: 'PATCH', url: `/api/v1/people/${p.id}`, payload: { title: 'B' } });
      await t.worker.drain();
      await elapseBackoff();
      await t.worker.drain();
      const log = (await deliveries(s.id)).sort((a, b) => Number(a.eventId) - Number(b.eventId));
      expect(log.map((d) => d.status)).toEqual(['failed', 'delivered']);
      const ids = rx.at('/dead').map((r) => Number(r.json.id));
      expect(ids).toHaveLength(3);
      expect(ids[0]).toBe(ids[1]);
      expect(ids[2]).toBeGreaterThan(ids[1]);
      await t.call({ method: 'PATCH', url: `/api/v1/webhooks/${s.id}`, payload: { enabled: false } });
    } finally {
      delete process.env.WEBHOOKS_MAX_ATTEMPTS;
    }
  });

  it('a disabled endpoint gets nothing and a hanging one does not block a healthy one', async () => {
    const off = await subscribe('/off', ['person.created'], { enabled: false });
    const hang = await subscribe('/hang', ['person.created']);
    const ok = await subscribe('/healthy', ['person.created']);
    rx.plan.set('/hang', ['hang']);
    const p = await newPerson();
    process.env.WEBHOOKS_TIMEOUT_MS = '2000';
    try {
      await t.worker.drain();
    } finally {
      delete process.env.WEBHOOKS_TIMEOUT_MS;
    }
    expect(rx.at('/healthy').map((r) => r.json.data.personId)).toEqual([p.id]);
    expect(rx.at('/off')).toHaveLength(0);
    expect(await deliveries(off.id)).toHaveLength(0);
    const [h] = await deliveries(hang.id);
    expect(h.status).toBe('pending');
    expect(h.attemptLog[0].error).toMatch(/timed out/);
    expect(h.attemptLog[0].statusCode).toBeNull();
    // Disabling cancels what is still pending.
    await t.call({ method: 'PATCH', url: `/api/v1/webhooks/${hang.id}`, payload: { enabled: false } });
    expect((await deliveries(hang.id))[0].status).toBe('cancelled');
    await t.call({ method: 'PATCH', url: `/api/v1/webhooks/${ok.id}`, payload: { enabled: false } });
  });

  it('replays a delivery as a new one carrying the same event id, and sends a test event to one subscription', async () => {
    const s = await subscribe('/replay', ['person.created']);
    await newPerson();
    await t.worker.drain();
    const [first] = await deliveries(s.id);
    const r = await t.call({ method: 'POST', url: `/api/v1/webhooks/${s.id}/deliveries/${first.id}/replay` });
    expect(r.statusCode).toBe(202);
    await t.worker.drain();
    const log = await deliveries(s.id);
    expect(log[0]).toMatchObject({ replayOf: first.id, status: 'delivered', eventId: first.eventId });
    const got = rx.at('/replay');
    expect(got.map((g) => g.json.id)).toEqual([first.eventId, first.eventId]);
    expect(
      (await t.call({ method: 'POST', url: `/api/v1/webhooks/${s.id}/deliveries/999999/replay` })).statusCode,
    ).toBe(404);

    const test = await t.call({ method: 'POST', url: `/api/v1/webhooks/${s.id}/test` });
    expect(test.statusCode).toBe(202);
    await t.worker.drain();
    expect(rx.at('/replay').at(-1)?.json.type).toBe('webhook.test');
    expect(rx.received.filter((x) => x.json.type === 'webhook.test')).toHaveLength(1);
  });

  it('prunes finished deliveries older than the retention, keeping recent and pending ones', async () => {
    const before = await t.db.query<{ id: number; status: string }>(
      'SELECT id, status FROM webhook_deliveries ORDER BY id',
    );
    const old = before.rows.find((d) => d.status === 'delivered') as { id: number };
    const stillPending = before.rows.find((d) => d.id !== old.id) as { id: number };
    await t.db.query(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now() + interval '1 hour' WHERE id = $1`,
      [stillPending.id],
    );
    await t.db.query(
      `UPDATE webhook_deliveries SET created_at = now() - interval '31 days' WHERE id = ANY($1::bigint[])`,
      [[old.id, stillPending.id]],
    );
    const { pruneDeliveries } = await import('./prune.ts');
    await pruneDeliveries(
      {},
      {
        ...t.ctx,
        job: { id: 0, queue: 'webhooks.prune', payload: {}, key: null, attempts: 1, max_attempts: 1 },
      },
    );
    const after = await t.db.query<{ id: number }>('SELECT id FROM webhook_deliveries ORDER BY id');
    const ids = after.rows.map((r) => Number(r.id));
    expect(ids).not.toContain(Number(old.id));
    expect(ids).toContain(Number(stillPending.id));
    expect(ids.length).toBe(before.rows.length - 1);
    expect(
      (await t.db.query('SELECT 1 FROM webhook_attempts WHERE delivery_id = $1', [old.id])).rows,
    ).toHaveLength(0);
  });
});
