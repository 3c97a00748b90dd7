import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../../platform/db/client.ts';
import { notFound } from '../../../platform/errors.ts';
import { type Actor, diffFields, recordAudit } from '../../../team/audit.ts';

/** Event types offered in the UI; subscriptions may name any `area.event` type, or '*' for all. */
export const KNOWN_EVENT_TYPES = [
  'person.created',
  'person.updated',
  'person.stage_changed',
  'person.assigned',
  'person.merged',
  'person.unsubscribed',
  'handoff.sla_breached',
  'form.submitted',
  'email.opened',
  'email.clicked',
  'opportunity.created',
  'opportunity.updated',
  'opportunity.closed',
  'opportunity.reopened',
  'opportunity.deleted',
  'scoring.rescored',
] as const;

export interface Subscription {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  /** The last four characters of the secret, to tell secrets apart; the secret itself is shown once. */
  secretHint: string;
  createdAt: Date;
  updatedAt: Date;
  stats?: {
    pending: number;
    failed: number;
    delivered: number;
    lastStatusCode: number | null;
    lastAttemptAt: Date | null;
  };
}

interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  secret: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, url, events, description, enabled, secret, created_at, updated_at';

const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  url: r.url,
  events: r.events,
  description: r.description,
  enabled: r.enabled,
  secretHint: r.secret.slice(-4),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export async function getSubscription(q: Queryable, workspaceId: number, id: string): Promise<Subscription> {
  const r = await q.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, id],
  );
  if (!r.rows[0]) throw notFound('Webhook', id);
  return toSubscription(r.rows[0]);
}

/** Every subscription with its delivery counts of the last 24 hours (webhook_deliveries_list_idx). */
export async function listSubscriptions(q: Queryable, workspaceId: number): Promise<Subscription[]> {
  const r = await q.query<
    SubscriptionRow & {
      pending: number;
      failed: number;
      delivered: number;
      last_status_code: number | null;
      last_attempt_at: Date | null;
    }
  >(
    `SELECT s.id, s.url, s.events, s.description, s.enabled, s.secret, s.created_at, s.updated_at,
            coalesce(st.pending, 0) AS pending, coalesce(st.failed, 0) AS failed, coalesce(st.delivered, 0) AS delivered,
            la.status_code AS last_status_code, la.at AS last_attempt_at
     FROM webhook_subscriptions s
     LEFT JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'failed') AS failed,
              count(*) FILTER (WHERE status = 'delivered') AS delivered
       FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.created_at > now() - interval '1 day') st ON true
     LEFT JOIN LATERAL (
       SELECT a.status_code, a.at FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id
       WHERE d.subscription_id = s.id ORDER BY d.id DESC, a.attempt DESC LIMIT 1) la ON true
     WHERE s.workspace_id = $1 ORDER BY s.created_at, s.id`,
    [workspaceId],
  );
  return r.rows.map((row) => ({
    ...toSubscription(row),
    stats: {
      pending: Number(row.pending),
      failed: Number(row.failed),
      delivered: Number(row.delivered),
      lastStatusCode: row.last_status_code,
      lastAttemptAt: row.last_attempt_at,
    },
  }));
}

export interface SubscriptionInput {
  url: string;
  events: string[];
  description?: string | null;
  enabled?: boolean;
}

export async function createSubscription(
  q: Queryable,
  actor: Actor,
  input: SubscriptionInput,
): Promise<Subscription & { secret: string }> {
  const secret = newSecret();
  const r = await q.query<SubscriptionRow>(
    `INSERT INTO webhook_subscriptions (workspace_id, url, events, secret, description, enabled, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [
      actor.workspaceId,
      input.url,
      [...new Set(input.events)],
      secret,
      input.description ?? null,
      input.enabled ?? true,
      actor.label,
    ],
  );
  const s = toSubscription(r.rows[0]);
  await recordAudit(q, actor, {
    action: 'webhook.created',
    entityType: 'webhook',
    entityId: s.id,
    meta: { url: s.url, events: s.events },
  });
  return { ...s, secret };
}

/** Edits a subscription; disabling it cancels its pending deliveries (they stay replayable). */
export async function updateSubscription(
  q: Queryable,
  actor: Actor,
  id: string,
  patch: Partial<SubscriptionInput>,
): Promise<Subscription> {
  const before = await getSubscription(q, actor.workspaceId, id);
  const next = {
    url: patch.url ?? before.url,
    events: patch.events ? [...new Set(patch.events)] : before.events,
    description: patch.description !== undefined ? patch.description : before.description,
    enabled: patch.enabled ?? before.enabled,
  };
  await q.query(
    `UPDATE webhook_subscriptions SET url = $3, events = $4, description = $5, enabled = $6, updated_at = now()
     WHERE workspace_id = $1 AND id = $2`,
    [actor.workspaceId, id, next.url, next.events, next.description, next.enabled],
  );
  if (before.enabled && !next.enabled) {
    await q.query(
      `UPDATE webhook_deliveries SET status = 'cancelled', last_error = 'subscription disabled', locked_until = NULL, updated_at = now()
       WHERE subscription_id = $1 AND status = 'pending'`,
      [id],
    );
  }
  const changes = diffFields(before as unknown as Record<string, unknown>, next);
  if (Object.keys(changes).length > 0) {
    await recordAudit(q, actor, { action: 'webhook.updated', entityType: 'webhook', entityId: id, changes });
  }
  return getSubscription(q, actor.workspaceId, id);
}

export async function rotateSecret(q: Queryable, actor: Actor, id: string): Promise<{ secret: string }> {
  const secret = newSecret();
  const r = await q.query(
    'UPDATE webhook_subscriptions SET secret = $3, updated_at = now() WHERE workspace_id = $1 AND id = $2',
    [actor.workspaceId, id, secret],
  );
  if (r.affectedRows === 0) throw notFound('Webhook', id);
  await recordAudit(q, actor, { action: 'webhook.secret_rotated', entityType: 'webhook', entityId: id });
  return { secret };
}

export async function deleteSubscription(q: Queryable, actor: Actor, id: string): Promise<void> {
  const r = await q.query<{ url: string }>(
    'DELETE FROM webhook_subscriptions WHERE workspace_id = $1 AND id = $2 RETURNING url',
    [actor.workspaceId, id],
  );
  if (!r.rows[0]) throw notFound('Webhook', id);
  await recordAudit(q, actor, {
    action: 'webhook.deleted',
    entityType: 'webhook',
    entityId: id,
    meta: { url: r.rows[0].url },
  });
}
