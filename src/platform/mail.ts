import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Queryable } from './db/client.ts';
import type { AppContext } from './http/context.ts';
import { enqueue } from './jobs/queue.ts';
import type { JobHandler } from './jobs/worker.ts';

export interface OutgoingMail {
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
export async function queueMail(q: Queryable, ctx: Pick<AppContext, 'config'>, workspaceId: number, mail: OutgoingMail): Promise<string | null> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO mail_messages (workspace_id, idempotency_key, person_id, kind, to_address, from_address, subject, html, text, headers, meta)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (workspace_id, idempotency_key) DO NOTHING RETURNING id`,
    [
      workspaceId,
      mail.idempotencyKey,
      mail.personId ?? null,
      mail.kind ?? 'marketing',
      mail.to,
      mail.from ?? ctx.config.mailFrom,
      mail.subject,
      mail.html ?? null,
      mail.text ?? null,
      JSON.stringify(mail.headers ?? {}),
      JSON.stringify(mail.meta ?? {}),
    ],
  );
  const id = r.rows[0]?.id;
  if (!id) return null;
  await enqueue(q, MAIL_QUEUE, { messageId: id }, { key: `mail:${id}`, maxAttempts: 8 });
  return id;
}

const transports = new Map<string, nodemailer.Transporter>();

function transportFor(smtpUrl: string): nodemailer.Transporter {
  let t = transports.get(smtpUrl);
  if (!t) {
    const url = new URL(smtpUrl);
    t = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      // Loopback and private relays often run without TLS; opportunistic STARTTLS still applies.
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      tls: { rejectUnauthorized: url.searchParams.get('rejectUnauthorized') !== 'false' },
      pool: true,
      maxConnections: 4,
      connectionTimeout: 10_000,
      socketTimeout: 30_000,
    });
    transports.set(smtpUrl, t);
  }
  return t;
}

const payloadSchema = z.object({ messageId: z.uuid() });

/**
 * Delivers one recorded message over SMTP (SMTP_URL), or leaves it in the outbox when no SMTP
 * server is configured. The status moves from queued to sent only after the server accepted
 * it; a failure is retried by the job queue with backoff.
 */
export const sendMailJob: JobHandler = async (payload, ctx) => {
  const { messageId } = payloadSchema.parse(payload);
  const r = await ctx.db.query<{
    id: string;
    to_address: string;
    from_address: string;
    subject: string;
    html: string | null;
    text: string | null;
    headers: Record<string, string>;
    status: string;
  }>(`SELECT id, to_address, from_address, subject, html, text, headers, status FROM mail_messages WHERE id = $1`, [messageId]);
  const m = r.rows[0];
  if (!m || m.status !== 'queued') return;
  if (!ctx.config.smtpUrl) {
    await ctx.db.query(`UPDATE mail_messages SET status = 'outbox', sent_at = now() WHERE id = $1`, [m.id]);
    return;
  }
  await ctx.db.query('UPDATE mail_messages SET attempts = attempts + 1 WHERE id = $1', [m.id]);
  try {
    const info = await transportFor(ctx.config.smtpUrl).sendMail({
      from: m.from_address,
      to: m.to_address,
      subject: m.subject,
      html: m.html ?? undefined,
      text: m.text ?? undefined,
      headers: m.headers,
      textEncoding: 'base64',
    });
    await ctx.db.query(`UPDATE mail_messages SET status = 'sent', sent_at = now(), smtp_message_id = $2, last_error = NULL WHERE id = $1`, [
      m.id,
      info.messageId ?? null,
    ]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await ctx.db.query('UPDATE mail_messages SET last_error = $2 WHERE id = $1', [m.id, message.slice(0, 1000)]);
    if (ctx.job.attempts >= ctx.job.max_attempts) {
      await ctx.db.query(`UPDATE mail_messages SET status = 'failed' WHERE id = $1`, [m.id]);
    }
    throw err;
  }
};

/** Closes pooled SMTP connections (tests, shutdown). */
export function closeMailTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
