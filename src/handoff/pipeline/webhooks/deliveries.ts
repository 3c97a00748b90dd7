import { z } from 'zod';
import type { Queryable } from '../../../platform/db/client.ts';
import { notFound } from '../../../platform/errors.ts';
import { getEvent } from '../../../platform/events.ts';
import { decodeCursor, toPage } from '../../../platform/http/pagination.ts';
import { enqueue, enqueueMany } from '../../../platform/jobs/queue.ts';
import type { JobContext, JobHandler } from '../../../platform/jobs/worker.ts';
import { signWebhook } from '../../../platform/webhook-signature.ts';
import { deliveryTimeoutMs, postWebhook } from './send.ts';
import { allowPrivateTargets } from './url-guard.ts';

export const FANOUT_QUEUE = 'webhooks.fanout';
export const DELIVER_QUEUE = 'webhooks.deliver';

export interface RetryPolicy {
  /** First retry after this many seconds, doubling each time. (Default: 30; WEBHOOKS_RETRY_BASE_SECONDS) */
  baseSeconds: number;
  /** Longest wait between two attempts. (Default: 4 hours) */
  maxDelaySeconds: number;
  /** Give up when the next attempt would fall after this many hours since the delivery was created. (Default: 24) */
  windowHours: number;
  /** Give up after this many attempts in any case. (Default: 20; WEBHOOKS_MAX_ATTEMPTS) */
  maxAttempts: number;
}

export function retryPolicy(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const num = (v: string | undefined, d: number) =>
    v !== undefined && v !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : d;
  return {
    baseSeconds: num(env.WEBHOOKS_RETRY_BASE_SECONDS, 30),
    maxDelaySeconds: 4 * 3600,
    windowHours: 24,
    maxAttempts: Math.max(1, num(env.WEBHOOKS_MAX_ATTEMPTS, 20)),
  };
}

/** Seconds to wait after the n-th failed attempt (1-based): base, 2·base, 4·base … capped. Pure. */
export function retryDelaySeconds(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelaySeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
}

const eventPayload = z.object({ eventId: z.coerce.number().int() });
const deliveryPayload = z.object({ deliveryId: z.coerce.number().int() });

const attemptKey = (deliveryId: number, attempt: number) => `whd:${deliveryId}:a${attempt}`;

/**
 * `webhooks.fanout`: one delivery per enabled subscription that wants the event, created and
 * scheduled in one transaction. The unique (subscription, event) index makes a rerun harmless.
 */
export const fanoutEvent: JobHandler = async (payload, ctx) => {
  const { eventId } = eventPayload.parse(payload);
  const event = await getEvent(ctx.db, eventId);
  if (!event) return;
  await ctx.db.transaction(async (tx) => {
    const r = await tx.query<{ id: number }>(
      `INSERT INTO webhook_deliveries (workspace_id, subscription_id, event_id, event_type, person_id, next_attempt_at)
       SELECT s.workspace_id, s.id, $2, $3, $4, now()
       FROM webhook_subscriptions s
       WHERE s.workspace_id = $1 AND s.enabled AND ($3 = ANY(s.events) OR '*' = ANY(s.events))
       ON CONFLICT (subscription_id, event_id) WHERE replay_of IS NULL DO NOTHING
       RETURNING id`,
      [event.workspaceId, event.id, event.type, event.personId],
    );
    await enqueueMany(
      tx,
      DELIVER_QUEUE,
      r.rows.map((d) => ({ payload: { deliveryId: d.id }, key: attemptKey(d.id, 0) })),
    );
  });
};

interface ClaimedDelivery {
  id: number;
  workspace_id: number;
  subscription_id: string;
  event_id: number;
  person_id: string | null;
  replay_of: number | null;
  attempts: number;
  url: string;
  secret: string;
  enabled: boolean;
}

/**
 * An earlier event of the same person whose fan-out has not run yet (another worker may be on
 * it): its delivery does not exist yet but must go first. Only events after the person's
 * previous delivery to this subscription are looked at (events_person_idx, jobs_key_uq).
 */
const EARLIER_EVENT_NOT_FANNED_OUT = `
  SELECT 1 FROM events ev JOIN jobs j ON j.key = 'webhooks.fanout:' || ev.id AND j.status = 'pending'
  WHERE ev.person_id = d.person_id AND ev.id < d.event_id
    AND ev.id > coalesce((SELECT max(x.event_id) FROM webhook_deliveries x
                          WHERE x.subscription_id = d.subscription_id AND x.person_id = d.person_id
                            AND x.event_id < d.event_id AND x.replay_of IS NULL), 0)`;

/**
 * Takes a delivery for one attempt: it must be pending, due, not held by another worker and —
 * unless it is a replay — have no earlier pending delivery for the same subscription and person.
 */
async function claimDelivery(
  q: Queryable,
  id: number,
  holdSeconds: number,
): Promise<ClaimedDelivery | undefined> {
  const r = await q.query<ClaimedDelivery>(
    `UPDATE webhook_deliveries d SET locked_until = now() + make_interval(secs => $2), updated_at = now()
     FROM webhook_subscriptions s
     WHERE d.id = $1 AND s.id = d.subscription_id AND d.status = 'pending'
       AND (d.locked_until IS NULL OR d.locked_until < now())
       AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now())
       AND (d.replay_of IS NOT NULL OR d.person_id IS NULL OR NOT EXISTS (
             SELECT 1 FROM webhook_deliveries e
             WHERE e.subscription_id = d.subscription_id AND e.person_id = d.person_id
               AND e.event_id < d.event_id AND e.status = 'pending' AND e.replay_of IS NULL))
       AND (d.replay_of IS NOT NULL OR d.person_id IS NULL OR NOT EXISTS (${EARLIER_EVENT_NOT_FANNED_OUT}))
     RETURNING d.id, d.workspace_id, d.subscription_id, d.event_id, d.person_id, d.replay_of, d.attempts, s.url, s.secret, s.enabled`,
    [id, holdSeconds],
  );
  return r.rows[0];
}

/** The earliest pending delivery this one waits for, if it is blocked by ordering. */
async function blockingPredecessor(q: Queryable, id: number) {
  const r = await q.query<{ id: number; next_attempt_at: Date | null; locked_until: Date | null }>(
    `SELECT e.id, e.next_attempt_at, e.locked_until
     FROM webhook_deliveries d
     JOIN webhook_deliveries e ON e.subscription_id = d.subscription_id AND e.person_id = d.person_id
       AND e.event_id < d.event_id AND e.status = 'pending' AND e.replay_of IS NULL
     WHERE d.id = $1 AND d.status = 'pending' AND d.replay_of IS NULL
     ORDER BY e.event_id LIMIT 1`,
    [id],
  );
  return r.rows[0];
}

/**
 * A delivery that could not be claimed although it is pending, free and due is held back by
 * the per-person order: look again when the earlier delivery is next tried (or in a moment,
 * when an earlier event is still being fanned out). Held or not-yet-due ones have their job.
 */
async function waitForPredecessor(ctx: JobContext, deliveryId: number): Promise<void> {
  const r = await ctx.db.query<{ due: boolean }>(
    `SELECT (locked_until IS NULL OR locked_until < now()) AND (next_attempt_at IS NULL OR next_attempt_at <= now()) AS due
     FROM webhook_deliveries WHERE id = $1 AND status = 'pending'`,
    [deliveryId],
  );
  if (!r.rows[0]?.due) return;
  const blocker = await blockingPredecessor(ctx.db, deliveryId);
  const base = Math.max(
    blocker?.next_attempt_at?.getTime() ?? 0,
    blocker?.locked_until?.getTime() ?? 0,
    Date.now(),
  );
  await enqueue(
    ctx.db,
    DELIVER_QUEUE,
    { deliveryId },
    { key: `whd:${deliveryId}:wait:${ctx.job.id}`, runAt: new Date(base + 2000) },
  );
}

/** Schedules the next pending delivery of the same subscription and person right away. */
async function kickSuccessor(q: Queryable, d: ClaimedDelivery): Promise<void> {
  if (d.replay_of !== null || d.person_id === null) return;
  const r = await q.query<{ id: number }>(
    `SELECT id FROM webhook_deliveries
     WHERE subscription_id = $1 AND person_id = $2 AND event_id > $3 AND status = 'pending' AND replay_of IS NULL
     ORDER BY event_id LIMIT 1`,
    [d.subscription_id, d.person_id, d.event_id],
  );
  if (r.rows[0])
    await enqueue(
      q,
      DELIVER_QUEUE,
      { deliveryId: r.rows[0].id },
      { key: `whd:${r.rows[0].id}:after:${d.id}` },
    );
}

/** The JSON body API.md fixes: {id, type, occurredAt, data}. */
export function webhookBody(event: {
  id: number;
  type: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}): string {
  return JSON.stringify({
    id: String(event.id),
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    data: event.data,
  });
}

/**
 * `webhooks.deliver`: one attempt of one delivery. The HTTP call happens outside any
 * transaction; its outcome, the attempt log and the next attempt are then written together.
 */
export const deliverWebhook: JobHandler = async (payload, ctx) => {
  const { deliveryId } = deliveryPayload.parse(payload);
  const timeoutMs = deliveryTimeoutMs();
  const d = await claimDelivery(ctx.db, deliveryId, Math.ceil(timeoutMs / 1000) + 60);
  if (!d) {
    await waitForPredecessor(ctx, deliveryId);
    return;
  }
  if (!d.enabled) {
    await ctx.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE webhook_deliveries SET status = 'cancelled', last_error = 'subscription disabled', locked_until = NULL, updated_at = now() WHERE id = $1`,
        [d.id],
      );
      await kickSuccessor(tx, d);
    });
    return;
  }
  const event = await getEvent(ctx.db, d.event_id);
  if (!event) {
    await ctx.db.query(
      `UPDATE webhook_deliveries SET status = 'cancelled', last_error = 'event no longer exists', locked_until = NULL WHERE id = $1`,
      [d.id],
    );
    return;
  }
  const body = webhookBody(event);
  const result = await postWebhook(
    d.url,
    body,
    {
      'user-agent': 'Leadflow-Webhooks/1',
      'leadflow-signature': signWebhook(d.secret, body, ctx.clock.now()),
      'leadflow-event': event.type,
      'leadflow-delivery': String(d.id),
    },
    { timeoutMs, allowPrivate: allowPrivateTargets() },
  );
  await recordAttempt(ctx, d, result);
};

async function recordAttempt(
  ctx: JobContext,
  d: ClaimedDelivery,
  result: Awaited<ReturnType<typeof postWebhook>>,
): Promise<void> {
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const attempt = d.attempts + 1;
  const error = ok ? null : (result.error ?? `HTTP ${result.statusCode}`);
  const policy = retryPolicy();
  const delay = retryDelaySeconds(attempt, policy);
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO webhook_attempts (workspace_id, delivery_id, attempt, status_code, duration_ms, error, response_excerpt)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [d.workspace_id, d.id, attempt, result.statusCode, result.durationMs, error, result.responseExcerpt],
    );
    const r = await tx.query<{ status: string; next_attempt_at: Date | null }>(
      `WITH o AS (
         SELECT $2::int AS attempt, $6::boolean AS ok,
                ($2::int >= $8::int OR now() + make_interval(secs => $7::double precision) > d.created_at + make_interval(hours => $9::int)) AS give_up
         FROM webhook_deliveries d WHERE d.id = $1)
       UPDATE webhook_deliveries SET
         attempts = o.attempt, last_status_code = $3::int, last_error = $4::text, last_duration_ms = $5::int, locked_until = NULL, updated_at = now(),
         status = CASE WHEN o.ok THEN 'delivered' WHEN o.give_up THEN 'failed' ELSE 'pending' END,
         delivered_at = CASE WHEN o.ok THEN now() END,
         next_attempt_at = CASE WHEN o.ok OR o.give_up THEN NULL ELSE now() + make_interval(secs => $7::double precision) END
       FROM o WHERE id = $1
       RETURNING status, next_attempt_at`,
      [
        d.id,
        attempt,
        result.statusCode,
        error,
        result.durationMs,
        ok,
        delay,
        policy.maxAttempts,
        policy.windowHours,
      ],
    );
    const row = r.rows[0];
    if (row.status === 'pending' && row.next_attempt_at) {
      await enqueue(
        tx,
        DELIVER_QUEUE,
        { deliveryId: d.id },
        { key: attemptKey(d.id, attempt), runAt: row.next_attempt_at },
      );
    } else {
      await kickSuccessor(tx, d);
    }
  });
  if (!ok)
    ctx.log.info(
      { deliveryId: d.id, attempt, statusCode: result.statusCode, ms: result.durationMs },
      'webhook attempt failed',
    );
}

export interface DeliveryView {
  id: number;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  personId: string | null;
  replayOf: number | null;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

interface DeliveryRow {
  id: number;
  subscription_id: string;
  event_id: number;
  event_type: string;
  person_id: string | null;
  replay_of: number | null;
  status: DeliveryView['status'];
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  delivered_at: Date | null;
  created_at: Date;
}

const DELIVERY_COLUMNS = `id, subscription_id, event_id, event_type, person_id, replay_of, status, attempts, next_attempt_at,
  last_status_code, last_error, last_duration_ms, delivered_at, created_at`;

const toDelivery = (r: DeliveryRow): DeliveryView => ({
  id: Number(r.id),
  subscriptionId: r.subscription_id,
  eventId: String(r.event_id),
  eventType: r.event_type,
  personId: r.person_id,
  replayOf: r.replay_of === null ? null : Number(r.replay_of),
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastDurationMs: r.last_duration_ms,
  deliveredAt: r.delivered_at,
  createdAt: r.created_at,
});

/** Newest first (webhook_deliveries_list_idx), with the attempts of each delivery on the page. */
export async function listDeliveries(
  q: Queryable,
  workspaceId: number,
  subscriptionId: string,
  f: { limit: number; cursor?: string; status?: DeliveryView['status'] },
) {
  const cursor = decodeCursor(f.cursor, 1);
  const r = await q.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
     WHERE workspace_id = $1 AND subscription_id = $2 AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [workspaceId, subscriptionId, f.status ?? null, cursor ? Number(cursor[0]) : null, f.limit + 1],
  );
  const page = toPage(r.rows.map(toDelivery), f.limit, (last) => [last.id]);
  const attempts = await q.query<{
    delivery_id: number;
    attempt: number;
    at: Date;
    status_code: number | null;
    duration_ms: number;
    error: string | null;
  }>(
    `SELECT delivery_id, attempt, at, status_code, duration_ms, error FROM webhook_attempts
     WHERE delivery_id = ANY($1::bigint[]) ORDER BY delivery_id, attempt`,
    [page.items.map((d) => d.id)],
  );
  return {
    ...page,
    items: page.items.map((d) => ({
      ...d,
      attemptLog: attempts.rows
        .filter((a) => Number(a.delivery_id) === d.id)
        .map((a) => ({
          attempt: a.attempt,
          at: a.at,
          statusCode: a.status_code,
          durationMs: a.duration_ms,
          error: a.error,
        })),
    })),
  };
}

/** Sends an event again to one subscription as a new delivery (outside the per-person order). */
export async function replayDelivery(
  q: Queryable,
  workspaceId: number,
  subscriptionId: string,
  deliveryId: number,
): Promise<DeliveryView> {
  const r = await q.query<DeliveryRow>(
    `INSERT INTO webhook_deliveries (workspace_id, subscription_id, event_id, event_type, person_id, replay_of, next_attempt_at)
     SELECT workspace_id, subscription_id, event_id, event_type, person_id, id, now()
     FROM webhook_deliveries WHERE workspace_id = $1 AND subscription_id = $2 AND id = $3
     RETURNING ${DELIVERY_COLUMNS}`,
    [workspaceId, subscriptionId, deliveryId],
  );
  if (!r.rows[0]) throw notFound('Delivery', String(deliveryId));
  const d = toDelivery(r.rows[0]);
  await enqueue(q, DELIVER_QUEUE, { deliveryId: d.id }, { key: attemptKey(d.id, 0) });
  return d;
}

/** Sends a `webhook.test` event to one subscription only (the event is not fanned out to others). */
export async function sendTestEvent(
  q: Queryable,
  workspaceId: number,
  subscriptionId: string,
  now: Date,
): Promise<DeliveryView> {
  const ev = await q.query<{ id: number }>(
    `INSERT INTO events (workspace_id, type, data, occurred_at) VALUES ($1, 'webhook.test', $2, $3) RETURNING id`,
    [workspaceId, JSON.stringify({ subscriptionId, message: 'Leadflow test event' }), now],
  );
  const r = await q.query<DeliveryRow>(
    `INSERT INTO webhook_deliveries (workspace_id, subscription_id, event_id, event_type, next_attempt_at)
     VALUES ($1, $2, $3, 'webhook.test', now()) RETURNING ${DELIVERY_COLUMNS}`,
    [workspaceId, subscriptionId, ev.rows[0].id],
  );
  const d = toDelivery(r.rows[0]);
  await enqueue(q, DELIVER_QUEUE, { deliveryId: d.id }, { key: attemptKey(d.id, 0) });
  return d;
}
