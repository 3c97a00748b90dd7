import { normalizeEmail } from '../../people/normalize.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { invalid } from '../../platform/errors.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { MAIL_QUEUE } from '../../platform/mail.ts';

export interface OutboxItem {
  id: string;
  kind: string;
  to: string;
  from: string;
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  personId: string | null;
  templateId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  openedAt: Date | null;
  clickedAt: Date | null;
  openCount: number;
  clickCount: number;
  bouncedAt: Date | null;
}

interface OutboxRow {
  id: string;
  kind: string;
  to_address: string;
  from_address: string;
  subject: string;
  status: string;
  attempts: number;
  last_error: string | null;
  person_id: string | null;
  template_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  opened_at: Date | null;
  clicked_at: Date | null;
  open_count: number;
  click_count: number;
  bounced_at: Date | null;
}

const COLUMNS = `id, kind, to_address, from_address, subject, status, attempts, last_error, person_id, template_id, created_at, sent_at,
  opened_at, clicked_at, open_count, click_count, bounced_at`;

function toItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    kind: r.kind,
    to: r.to_address,
    from: r.from_address,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    personId: r.person_id,
    templateId: r.template_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    openedAt: r.opened_at,
    clickedAt: r.clicked_at,
    openCount: r.open_count,
    clickCount: r.click_count,
    bouncedAt: r.bounced_at,
  };
}

/** The outbox / delivery log, newest first (mail_messages_ws_created_idx, mail_messages_ws_status_idx). */
export async function listOutbox(
  q: Queryable,
  workspaceId: number,
  opts: { limit: number; cursor?: string; status?: string; personId?: string; q?: string },
): Promise<{ items: OutboxItem[]; nextCursor: string | null }> {
  const after = decodeCursor(opts.cursor, 2);
  const term = opts.q?.trim().toLowerCase();
  const r = await q.query<OutboxRow & { cursor_at: string }>(
    `SELECT ${COLUMNS}, created_at::text AS cursor_at FROM mail_messages WHERE workspace_id = $1
       AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR person_id = $3)
       AND ($4::text IS NULL OR lower(to_address) LIKE $4 OR lower(subject) LIKE $4)
       AND ($5::timestamptz IS NULL OR (created_at, id) < ($5, $6::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $7`,
    [
      workspaceId,
      opts.status ?? null,
      opts.personId ?? null,
      term ? `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      opts.limit + 1,
    ],
  );
  const page = toPage(r.rows, opts.limit, (last) => [last.cursor_at, last.id]);
  return { items: page.items.map(toItem), nextCursor: page.nextCursor };
}

export async function getOutboxMessage(q: Queryable, workspaceId: number, id: string) {
  const r = await q.query<
    OutboxRow & {
      html: string | null;
      text: string | null;
      headers: Record<string, string>;
      meta: Record<string, unknown>;
    }
  >(`SELECT ${COLUMNS}, html, text, headers, meta FROM mail_messages WHERE workspace_id = $1 AND id = $2`, [
    workspaceId,
    id,
  ]);
  const row = r.rows[0];
  return row
    ? { ...toItem(row), html: row.html, text: row.text, headers: row.headers, meta: row.meta }
    : undefined;
}

/** Puts a failed message back in the queue (a new delivery job; the message keeps its id). */
export async function retryMessage(q: Queryable, workspaceId: number, id: string): Promise<boolean> {
  const r = await q.query<{ attempts: number }>(
    `UPDATE mail_messages SET status = 'queued', last_error = NULL, sending_until = NULL
     WHERE workspace_id = $1 AND id = $2 AND status = 'failed' RETURNING attempts`,
    [workspaceId, id],
  );
  if (!r.rows[0]) return false;
  await enqueue(
    q,
    MAIL_QUEUE,
    { messageId: id },
    { key: `mail:${id}:retry:${r.rows[0].attempts}`, maxAttempts: 8 },
  );
  return true;
}

export async function listSuppressions(
  q: Queryable,
  workspaceId: number,
  opts: { limit: number; cursor?: string },
) {
  const after = decodeCursor(opts.cursor, 2);
  const r = await q.query<{
    email: string;
    reason: string;
    detail: string | null;
    created_at: Date;
    cursor_at: string;
  }>(
    `SELECT email, reason, detail, created_at, created_at::text AS cursor_at FROM mail_suppressions WHERE workspace_id = $1
       AND ($2::timestamptz IS NULL OR (created_at, email) < ($2, $3))
     ORDER BY created_at DESC, email DESC LIMIT $4`,
    [workspaceId, after?.[0] ?? null, after?.[1] ?? null, opts.limit + 1],
  );
  const page = toPage(r.rows, opts.limit, (last) => [last.cursor_at, last.email]);
  return {
    items: page.items.map((s) => ({
      email: s.email,
      reason: s.reason,
      detail: s.detail,
      createdAt: s.created_at,
    })),
    nextCursor: page.nextCursor,
  };
}

function cleanEmail(raw: string): string {
  const e = normalizeEmail(raw);
  if (!e) throw invalid('email', 'not an e-mail address');
  return e;
}

export async function addSuppression(
  q: Queryable,
  workspaceId: number,
  email: string,
  detail?: string,
): Promise<void> {
  await q.query(
    `INSERT INTO mail_suppressions (workspace_id, email, reason, detail) VALUES ($1, $2, 'manual', $3) ON CONFLICT (workspace_id, email) DO NOTHING`,
    [workspaceId, cleanEmail(email), detail ?? null],
  );
}

export async function removeSuppression(q: Queryable, workspaceId: number, email: string): Promise<number> {
  const r = await q.query('DELETE FROM mail_suppressions WHERE workspace_id = $1 AND email = $2', [
    workspaceId,
    cleanEmail(email),
  ]);
  return r.affectedRows;
}
