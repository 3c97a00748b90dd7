import net from 'node:net';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Queryable } from './db/client.ts';
import type { AppContext } from './http/context.ts';
import type { JobRow } from './jobs/queue.ts';
import { enqueueMany } from './jobs/queue.ts';
import type { BatchJobHandler, JobHandler } from './jobs/worker.ts';

export interface OutgoingMail {
  /** The message id, when the caller needs it before the insert (tracking links). (Default: generated) */
  id?: string;
  /** The e-mail template the message was rendered from, for per-template statistics. */
  templateId?: string | null;
  /** Unique per message, e.g. `scenario:<id>:<step>:<person>`: the same key is never sent twice. */
  idempotencyKey: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  personId?: string | null;
  kind?: 'marketing' | 'transactional' | 'notification' | 'test';
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post for marketing mail. */
  headers?: Record<string, string>;
  /** Overrides LEADFLOW_MAIL_FROM. */
  from?: string;
  meta?: Record<string, unknown>;
}

export const MAIL_QUEUE = 'mail.send';

/**
 * Records a message and schedules its delivery, in the caller's transaction. Returns the
 * message id, or null when a message with the same idempotency key already exists (nothing
 * new is sent).
 */
export async function queueMail(
  q: Queryable,
  ctx: Pick<AppContext, 'config'>,
  workspaceId: number,
  mail: OutgoingMail,
): Promise<string | null> {
  const [id] = await queueMails(q, ctx, workspaceId, [mail]);
  return id;
}

/** queueMail for many messages: one insert of the messages and one of their delivery jobs; ids in the order given. */
export async function queueMails(
  q: Queryable,
  ctx: Pick<AppContext, 'config'>,
  workspaceId: number,
  mails: OutgoingMail[],
): Promise<(string | null)[]> {
  if (mails.length === 0) return [];
  const r = await q.query<{ id: string; idempotency_key: string }>(
    `INSERT INTO mail_messages (id, workspace_id, idempotency_key, person_id, kind, to_address, from_address, subject, html, text, headers, meta, template_id)
     SELECT coalesce(u.id, gen_random_uuid()), $1, u.key, u.person_id, u.kind, u.to_address, u.from_address, u.subject, u.html, u.text,
            u.headers::jsonb, u.meta::jsonb, u.template_id
     FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::uuid[])
          AS u(id, key, person_id, kind, to_address, from_address, subject, html, text, headers, meta, template_id)
     ON CONFLICT (workspace_id, idempotency_key) DO NOTHING RETURNING id, idempotency_key`,
    [
      workspaceId,
      mails.map((m) => m.id ?? null),
      mails.map((m) => m.idempotencyKey),
      mails.map((m) => m.personId ?? null),
      mails.map((m) => m.kind ?? 'marketing'),
      mails.map((m) => m.to),
      mails.map((m) => m.from ?? ctx.config.mailFrom),
      mails.map((m) => m.subject),
      mails.map((m) => m.html ?? null),
      mails.map((m) => m.text ?? null),
      mails.map((m) => JSON.stringify(m.headers ?? {})),
      mails.map((m) => JSON.stringify(m.meta ?? {})),
      mails.map((m) => m.templateId ?? null),
    ],
  );
  const byKey = new Map(r.rows.map((row) => [row.idempotency_key, row.id]));
  // A key given twice gets one message: the later ones are duplicates of the first.
  const ids = mails.map((m) => {
    const id = byKey.get(m.idempotencyKey) ?? null;
    byKey.delete(m.idempotencyKey);
    return id;
  });
  await enqueueMany(
    q,
    MAIL_QUEUE,
    ids
      .filter((id): id is string => id !== null)
      .map((id) => ({ payload: { messageId: id }, key: `mail:${id}` })),
    { maxAttempts: 8 },
  );
  return ids;
}

/** Pooled connections per SMTP server, and the lanes a delivery batch sends on. */
const SMTP_CONNECTIONS = 4;

const transports = new Map<string, nodemailer.Transporter>();

/**
 * Opens the TCP connection to the SMTP server with Nagle's algorithm off. SMTP is a dialogue of
 * small writes; with Nagle on, each message waited for the server's delayed ACK (≈40 ms on
 * Linux), capping a connection at ≈22 messages a second. Measured on loopback: 44 ms → 0.4 ms
 * per message. nodemailer upgrades the socket to TLS itself (smtps: or STARTTLS).
 */
function connectWithoutNagle(
  options: { host?: string; port?: number; connectionTimeout?: number },
  callback: (err: Error | null, socketOptions?: { connection: net.Socket }) => void,
): void {
  const socket = net.connect({ host: options.host, port: options.port ?? 587 });
  socket.setNoDelay(true);
  const fail = (err: Error) => {
    socket.destroy();
    callback(err);
  };
  socket.setTimeout(options.connectionTimeout ?? 10_000, () =>
    fail(Object.assign(new Error('SMTP connection timed out'), { code: 'ETIMEDOUT' })),
  );
  socket.once('error', fail);
  socket.once('connect', () => {
    socket.setTimeout(0);
    socket.removeListener('error', fail);
    callback(null, { connection: socket });
  });
}

function transportFor(smtpUrl: string): nodemailer.Transporter {
  let t = transports.get(smtpUrl);
  if (!t) {
    const url = new URL(smtpUrl);
    t = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      // Loopback and private relays often run without TLS; opportunistic STARTTLS still applies.
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      tls: { rejectUnauthorized: url.searchParams.get('rejectUnauthorized') !== 'false' },
      pool: true,
      maxConnections: SMTP_CONNECTIONS,
      connectionTimeout: 10_000,
      getSocket: connectWithoutNagle,
      socketTimeout: 30_000,
    });
    transports.set(smtpUrl, t);
  }
  return t;
}

const payloadSchema = z.object({ messageId: z.uuid() });

/** How long a worker holds a message while talking to SMTP before another may try it. */
const SEND_LEASE_SECONDS = 120;
/** Messages per second handed to SMTP across all workers, unless the workspace's mail settings say otherwise. */
const DEFAULT_RATE_PER_SECOND = 10;

interface MessageRow {
  id: string;
  workspace_id: number;
  person_id: string | null;
  kind: string;
  to_address: string;
  from_address: string;
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  attempts: number;
}

interface DeliveryCheck {
  unsubscribed: boolean;
  bounced: boolean;
  listed: string | null;
}

/** Marketing mail is checked again at delivery: an unsubscribe or bounce since queueing wins. */
function suppressionAtDelivery(m: MessageRow, s: DeliveryCheck | undefined): string | undefined {
  if (m.kind !== 'marketing' && m.kind !== 'transactional') return undefined;
  if (!s) return undefined;
  if (s.bounced || s.listed === 'bounced') return 'bounced';
  if (s.listed === 'complained') return 'complained';
  if (m.kind === 'transactional') return undefined;
  if (s.unsubscribed || s.listed === 'unsubscribed') return 'unsubscribed';
  if (s.listed === 'manual') return 'suppressed';
  return undefined;
}

/** The suppression state of each message's recipient now, by message id: one query for any number. */
async function deliveryChecks(q: Queryable, messages: MessageRow[]): Promise<Map<string, DeliveryCheck>> {
  const r = await q.query<DeliveryCheck & { id: string }>(
    `SELECT x.id, coalesce(p.unsubscribed_at IS NOT NULL, false) AS unsubscribed, coalesce(p.bounced_at IS NOT NULL, false) AS bounced,
            s.reason AS listed
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::uuid[]) AS x(id, ws, email, person_id)
     LEFT JOIN people p ON p.id = x.person_id
     LEFT JOIN mail_suppressions s ON s.workspace_id = x.ws AND s.email = x.email`,
    [
      messages.map((m) => m.id),
      messages.map((m) => m.workspace_id),
      messages.map((m) => m.to_address),
      messages.map((m) => m.person_id),
    ],
  );
  return new Map(r.rows.map((row) => [row.id, row]));
}

async function ratePerSecond(q: Queryable, workspaceId: number): Promise<number> {
  const r = await q.query<{ rate: number | null }>(
    `SELECT (value->>'ratePerSecond')::int AS rate FROM settings WHERE workspace_id = $1 AND key = 'mail'`,
    [workspaceId],
  );
  return r.rows[0]?.rate ?? DEFAULT_RATE_PER_SECOND;
}

/**
 * Takes `want` slots (at most `limit`) of the current second from the shared counter (every
 * worker uses the same row), all or none; returns 0, or how many ms to wait for the next second.
 */
async function takeRateSlots(q: Queryable, limit: number, want = 1): Promise<number> {
  const r = await q.query<{ sent: number; wait_ms: number }>(
    `INSERT INTO mail_rate_slots (second, sent) VALUES (date_trunc('second', clock_timestamp()), $2)
     ON CONFLICT (second) DO UPDATE SET sent = mail_rate_slots.sent + $2 WHERE mail_rate_slots.sent + $2 <= $1
     RETURNING sent, 0 AS wait_ms`,
    [limit, want],
  );
  if (r.rows[0]) {
    if (Math.random() < 0.01)
      await q.query(`DELETE FROM mail_rate_slots WHERE second < now() - interval '1 minute'`);
    return 0;
  }
  const w = await q.query<{ wait_ms: number }>(
    `SELECT ceil(1000 - extract(milliseconds FROM clock_timestamp())::numeric % 1000)::int AS wait_ms`,
  );
  return Math.max(1, w.rows[0].wait_ms);
}

/** Waits until `n` messages of a workspace may go to SMTP under its rate limit. */
async function awaitRate(q: Queryable, workspaceId: number, n: number): Promise<void> {
  const limit = Math.max(1, await ratePerSecond(q, workspaceId));
  for (let left = n; left > 0; ) {
    const want = Math.min(left, limit);
    const wait = await takeRateSlots(q, limit, want);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else left -= want;
  }
}

/** Stable Message-ID from our id: a receiving server can recognise a retransmission. */
function messageIdHeader(id: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'leadflow.local';
  return `<${id}@${domain}>`;
}

/**
 * Delivers one recorded message over SMTP (SMTP_URL), or leaves it in the outbox when no SMTP
 * server is configured. The message is claimed with a lease before SMTP and marked sent
 * right after the server accepts it; marketing mail is re-checked against unsubscribes and
 * bounces first; the shared rate limit holds across workers. A refusal or a dropped
 * connection is recorded on the message and retried by the job queue with backoff; after
 * the last attempt the message is marked failed — never dropped silently.
 */
export const sendMailJob: JobHandler = async (payload, ctx) => {
  const { messageId } = payloadSchema.parse(payload);
  // One message is a batch of one: the same checks, claim, send and marks.
  const outcome = await sendMailBatch([{ ...ctx.job, payload }], ctx);
  const failure = outcome.failed?.[0];
  if (failure) throw new Error(failure.error);
  if (outcome.single?.length) {
    const again = await ctx.db.query<{ status: string }>('SELECT status FROM mail_messages WHERE id = $1', [
      messageId,
    ]);
    // Another worker holds the lease: try again later rather than finishing this job.
    if (again.rows[0]?.status === 'queued') throw new Error('message is being sent by another worker');
  }
};

function smtpSend(smtpUrl: string, m: MessageRow) {
  return transportFor(smtpUrl).sendMail({
    from: m.from_address,
    to: m.to_address,
    subject: m.subject,
    html: m.html ?? undefined,
    text: m.text ?? undefined,
    headers: m.headers,
    messageId: messageIdHeader(m.id, m.from_address),
    textEncoding: 'base64',
  });
}

async function recordSendFailure(q: Queryable, id: string, message: string, final: boolean): Promise<void> {
  await q.query(
    `UPDATE mail_messages SET last_error = $2, sending_until = NULL, status = CASE WHEN $3 THEN 'failed' ELSE status END WHERE id = $1`,
    [id, message.slice(0, 1000), final],
  );
}

/**
 * Delivery jobs, claimed by a worker together (or one, from sendMailJob). The messages are
 * leased before SMTP (only a queued message whose lease is free, so two workers, or a retry
 * racing a slow first attempt, never hand the same message to SMTP at once): the
 * rate slots taken for all of them first, one claim (lease) statement, one re-check of
 * unsubscribes and bounces, the messages handed to the SMTP pool side by side, each marked
 * sent as soon as the server accepts it. A refused message is recorded and its job retried
 * alone; a message leased by another worker runs singly (and is retried later).
 */
const sendMailBatch: BatchJobHandler = async (jobs, ctx) => {
  const single: JobRow[] = [];
  const done: number[] = [];
  const failed: { job: JobRow; error: string }[] = [];
  const jobOf = new Map<string, JobRow>();
  for (const job of jobs) {
    const p = payloadSchema.safeParse(job.payload);
    if (!p.success || jobOf.has(p.data.messageId)) single.push(job);
    else jobOf.set(p.data.messageId, job);
  }
  const status = await ctx.db.query<{ id: string; status: string; workspace_id: number }>(
    'SELECT id, status, workspace_id FROM mail_messages WHERE id = ANY($1::uuid[])',
    [[...jobOf.keys()]],
  );
  const queued = status.rows.filter((r) => r.status === 'queued');
  const queuedIds = new Set(queued.map((r) => r.id));
  for (const [id, job] of jobOf) if (!queuedIds.has(id)) done.push(job.id);
  if (queued.length === 0) return { done, single };
  if (ctx.config.smtpUrl) {
    // Rate slots before the claim, so a waiting message holds no lease.
    for (const ws of new Set(queued.map((r) => r.workspace_id)))
      await awaitRate(ctx.db, ws, queued.filter((r) => r.workspace_id === ws).length);
  }
  const claimed = await ctx.db.query<MessageRow>(
    `UPDATE mail_messages SET sending_until = now() + make_interval(secs => $2), attempts = attempts + 1
     WHERE id = ANY($1::uuid[]) AND status = 'queued' AND (sending_until IS NULL OR sending_until < now())
     RETURNING id, workspace_id, person_id, kind, to_address, from_address, subject, html, text, headers, attempts`,
    [[...queuedIds], SEND_LEASE_SECONDS],
  );
  const claimedIds = new Set(claimed.rows.map((m) => m.id));
  for (const id of queuedIds) if (!claimedIds.has(id)) single.push(jobOf.get(id) as JobRow);
  const checks = await deliveryChecks(
    ctx.db,
    claimed.rows.filter((m) => m.kind === 'marketing' || m.kind === 'transactional'),
  );
  const suppressed: { id: string; reason: string }[] = [];
  const deliver: MessageRow[] = [];
  for (const m of claimed.rows) {
    const reason = suppressionAtDelivery(m, checks.get(m.id));
    if (reason) suppressed.push({ id: m.id, reason });
    else deliver.push(m);
  }
  if (suppressed.length)
    await ctx.db.query(
      `UPDATE mail_messages m SET status = 'suppressed', last_error = 'suppressed at delivery: ' || u.reason, sending_until = NULL
       FROM unnest($1::uuid[], $2::text[]) AS u(id, reason) WHERE m.id = u.id`,
      [suppressed.map((x) => x.id), suppressed.map((x) => x.reason)],
    );
  if (!ctx.config.smtpUrl) {
    if (deliver.length)
      await ctx.db.query(
        `UPDATE mail_messages SET status = 'outbox', sent_at = now(), sending_until = NULL WHERE id = ANY($1::uuid[])`,
        [deliver.map((m) => m.id)],
      );
  } else {
    const smtpUrl = ctx.config.smtpUrl;
    // Each message is marked sent as soon as the server accepts it, on a few lanes side by side
    // (the SMTP pool's connections; one on the embedded database): a crash can leave only the
    // messages in flight on those lanes accepted but unmarked — the at-least-once window of
    // SMTP — never a whole batch.
    const lanes = ctx.db.kind === 'postgres' ? SMTP_CONNECTIONS : 1;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(lanes, deliver.length) }, async () => {
        while (next < deliver.length) {
          const m = deliver[next++];
          try {
            const info = await smtpSend(smtpUrl, m);
            await ctx.db.query(
              `UPDATE mail_messages SET status = 'sent', sent_at = now(), smtp_message_id = $2, last_error = NULL, sending_until = NULL WHERE id = $1`,
              [m.id, info.messageId ?? null],
            );
          } catch (err) {
            const job = jobOf.get(m.id) as JobRow;
            const message = err instanceof Error ? err.message : String(err);
            await recordSendFailure(ctx.db, m.id, message, job.attempts >= job.max_attempts);
            failed.push({ job, error: message });
          }
        }
      }),
    );
  }
  const failedIds = new Set(failed.map((f) => f.job.id));
  for (const m of claimed.rows) {
    const job = jobOf.get(m.id) as JobRow;
    if (!failedIds.has(job.id)) done.push(job.id);
  }
  return { done, failed, single };
};

sendMailJob.batch = sendMailBatch;

/** Closes pooled SMTP connections (tests, shutdown). */
export function closeMailTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
