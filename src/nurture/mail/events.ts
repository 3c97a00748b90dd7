import { normalizeEmail } from '../../people/normalize.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { emitEvent } from '../../platform/events.ts';
import { markForRescore } from '../../scoring/live.ts';
import { recordAudit, systemActor } from '../../team/audit.ts';

/**
 * What happens to people and messages after a send: opens, clicks, unsubscribes, bounces and
 * complaints. Each records its activity and, where it matters, suppresses the address, in
 * one transaction.
 */


interface MessageRef {
  id: string;
  workspace_id: number;
  person_id: string | null;
  template_id: string | null;
  meta: { campaignId?: string | null; scenarioId?: string | null };
  first_open: boolean;
}

async function insertActivity(
  q: Queryable,
  m: MessageRef,
  type: string,
  at: Date,
  properties: Record<string, unknown>,
): Promise<void> {
  if (!m.person_id) return;
  await q.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      m.workspace_id,
      m.person_id,
      type,
      at,
      JSON.stringify({
        messageId: m.id,
        templateId: m.template_id,
        scenarioId: m.meta?.scenarioId ?? null,
        ...properties,
      }),
      m.meta?.campaignId ?? null,
    ],
  );
}

/**
 * Counts an open. Only the first open of a message becomes an `email_open` activity (image
 * proxies and re-reads fetch the pixel again); every open is counted on the message.
 */
export async function recordOpen(q: Queryable, messageId: string, at: Date): Promise<boolean> {
  const r = await q.query<MessageRef>(
    `UPDATE mail_messages m SET open_count = open_count + 1, opened_at = coalesce(opened_at, $2)
     FROM (SELECT id, opened_at IS NULL AS first_open FROM mail_messages WHERE id = $1 FOR UPDATE) o
     WHERE m.id = o.id AND m.kind IN ('marketing', 'transactional')
     RETURNING m.id, m.workspace_id, m.person_id, m.template_id, m.meta, o.first_open`,
    [messageId, at],
  );
  const m = r.rows[0];
  if (!m) return false;
  if (m.first_open) {
    await insertActivity(q, m, 'email_open', at, {});
    if (m.person_id) {
      await emitEvent(
        q,
        m.workspace_id,
        'email.opened',
        { messageId: m.id, templateId: m.template_id },
        m.person_id,
      );
      await markForRescore(q, m.workspace_id, [m.person_id]);
    }
  }
  return true;
}

/** Records a click on a tracked link (a click implies an open) and returns the person it identifies. */
export async function recordClick(
  q: Queryable,
  messageId: string,
  url: string,
  at: Date,
): Promise<{ workspaceId: number; personId: string | null } | null> {
  const r = await q.query<MessageRef>(
    `UPDATE mail_messages m SET click_count = click_count + 1, clicked_at = coalesce(clicked_at, $2),
            open_count = CASE WHEN m.opened_at IS NULL THEN open_count + 1 ELSE open_count END, opened_at = coalesce(opened_at, $2)
     FROM (SELECT id, opened_at IS NULL AS first_open FROM mail_messages WHERE id = $1 FOR UPDATE) o
     WHERE m.id = o.id AND m.kind IN ('marketing', 'transactional')
     RETURNING m.id, m.workspace_id, m.person_id, m.template_id, m.meta, o.first_open`,
    [messageId, at],
  );
  const m = r.rows[0];
  if (!m) return null;
  if (m.first_open) await insertActivity(q, m, 'email_open', at, {});
  await insertActivity(q, m, 'email_click', at, { url });
  if (m.person_id) {
    await emitEvent(
      q,
      m.workspace_id,
      'email.clicked',
      { messageId: m.id, templateId: m.template_id, url },
      m.person_id,
    );
    await markForRescore(q, m.workspace_id, [m.person_id]);
  }
  return { workspaceId: m.workspace_id, personId: m.person_id };
}

/**
 * Unsubscribes a person: consent withdrawn and `unsubscribed_at` set, so no marketing mail
 * is queued or delivered to them again. Idempotent: a second call changes nothing.
 */
export async function unsubscribePerson(
  q: Queryable,
  workspaceId: number,
  personId: string,
  opts: { messageId?: string; via: 'one-click' | 'page' | 'mailto' | 'complaint' | 'api'; at: Date },
): Promise<'unsubscribed' | 'already' | 'unknown'> {
  const r = await q.query<{ was: Date | null; email: string }>(
    `UPDATE people p SET consent = false, unsubscribed_at = coalesce(p.unsubscribed_at, $3), updated_at = now()
     FROM (SELECT id, unsubscribed_at AS was FROM people WHERE workspace_id = $1 AND id = $2 FOR UPDATE) o
     WHERE p.id = o.id RETURNING o.was, p.email`,
    [workspaceId, personId, opts.at],
  );
  const row = r.rows[0];
  if (!row) return 'unknown';
  if (row.was) return 'already';
  await q.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties) VALUES ($1, $2, 'unsubscribe', $3, $4)`,
    [workspaceId, personId, opts.at, JSON.stringify({ messageId: opts.messageId ?? null, via: opts.via })],
  );
  await recordAudit(q, systemActor(`unsubscribe (${opts.via})`, workspaceId), {
    action: 'person.unsubscribed',
    entityType: 'person',
    entityId: personId,
    changes: { consent: [null, false] },
    meta: { messageId: opts.messageId ?? null, via: opts.via },
  });
  await emitEvent(
    q,
    workspaceId,
    'person.unsubscribed',
    { via: opts.via, messageId: opts.messageId ?? null },
    personId,
  );
  return 'unsubscribed';
}

export type DeliveryEventType = 'bounce' | 'complaint';

export interface DeliveryEvent {
  type: DeliveryEventType;
  /** Soft bounces (mailbox full, greylisting) are recorded but do not suppress. (Default: hard) */
  bounceType?: 'hard' | 'soft';
  email?: string;
  messageId?: string;
  detail?: string;
}

/**
 * A bounce or complaint reported by the mail provider. A hard bounce or a complaint puts the
 * address on the suppression list (and a complaint also unsubscribes the person); both are
 * recorded as activities on the person and on the message.
 */
export async function recordDeliveryEvent(
  q: Queryable,
  workspaceId: number,
  e: DeliveryEvent,
  at: Date,
): Promise<{ suppressed: boolean; personId: string | null; email: string | null }> {
  let email = e.email ? (normalizeEmail(e.email) ?? e.email.trim().toLowerCase()) : null;
  let message: (MessageRef & { to_address: string }) | undefined;
  if (e.messageId) {
    const m = await q.query<MessageRef & { to_address: string }>(
      `SELECT id, workspace_id, person_id, template_id, meta, false AS first_open, to_address FROM mail_messages
       WHERE workspace_id = $1 AND (id::text = $2 OR smtp_message_id = $2 OR smtp_message_id = '<' || $2 || '>')`,
      [workspaceId, e.messageId],
    );
    message = m.rows[0];
    email ??= message?.to_address ?? null;
  }
  if (!email) return { suppressed: false, personId: null, email: null };
  const person = await q.query<{ id: string }>(
    'SELECT id FROM people WHERE workspace_id = $1 AND email = $2',
    [workspaceId, email],
  );
  const personId = message?.person_id ?? person.rows[0]?.id ?? null;
  const hard = e.type === 'complaint' || (e.bounceType ?? 'hard') === 'hard';
  const activity = e.type === 'bounce' ? 'email_bounce' : 'email_complaint';
  const ref: MessageRef = message ?? {
    id: '',
    workspace_id: workspaceId,
    person_id: personId,
    template_id: null,
    meta: {},
    first_open: false,
  };
  await insertActivity(q, { ...ref, person_id: personId }, activity, at, {
    messageId: message?.id ?? null,
    bounceType: e.type === 'bounce' ? (e.bounceType ?? 'hard') : undefined,
    detail: e.detail?.slice(0, 500) ?? null,
  });
  if (message)
    await q.query('UPDATE mail_messages SET bounced_at = coalesce(bounced_at, $2) WHERE id = $1', [
      message.id,
      at,
    ]);
  if (!hard) return { suppressed: false, personId, email };
  await q.query(
    `INSERT INTO mail_suppressions (workspace_id, email, reason, detail) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, email) DO UPDATE SET reason = CASE WHEN mail_suppressions.reason = 'complained' THEN 'complained' ELSE EXCLUDED.reason END`,
    [workspaceId, email, e.type === 'bounce' ? 'bounced' : 'complained', e.detail?.slice(0, 500) ?? null],
  );
  if (personId && e.type === 'bounce') {
    await q.query(
      'UPDATE people SET bounced_at = coalesce(bounced_at, $3), updated_at = now() WHERE workspace_id = $1 AND id = $2',
      [workspaceId, personId, at],
    );
  }
  if (personId && e.type === 'complaint')
    await unsubscribePerson(q, workspaceId, personId, { via: 'complaint', messageId: message?.id, at });
  return { suppressed: true, personId, email };
}
