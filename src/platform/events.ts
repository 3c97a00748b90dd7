import type { Queryable } from './db/client.ts';
import { enqueueMany } from './jobs/queue.ts';

/**
 * Who listens to which domain events. Each entry is a job queue whose handler receives
 * `{ eventId }`; one job per subscriber per event, enqueued in the emitting transaction.
 * Features add their line here and register the handler in the worker (src/jobs.ts).
 */
export const EVENT_SUBSCRIBERS: { queue: string; types: readonly string[] | '*' }[] = [
  { queue: 'webhooks.fanout', types: '*' },
  { queue: 'scenarios.trigger', types: '*' },
  { queue: 'scoring.events', types: ['person.created', 'person.updated'] },
  { queue: 'handoff.events', types: ['person.stage_changed'] },
];

export interface DomainEvent {
  id: number;
  workspaceId: number;
  type: string;
  occurredAt: Date;
  personId: string | null;
  data: Record<string, unknown>;
}

/** Records a domain event and schedules its subscribers, in the caller's transaction. */
export async function emitEvent(
  q: Queryable,
  workspaceId: number,
  type: string,
  data: Record<string, unknown>,
  personId: string | null = null,
): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO events (workspace_id, type, person_id, data) VALUES ($1, $2, $3, $4) RETURNING id`,
    [workspaceId, type, personId, JSON.stringify(data)],
  );
  const id = r.rows[0].id;
  for (const s of EVENT_SUBSCRIBERS) {
    if (s.types === '*' || s.types.includes(type)) {
      await enqueueMany(q, s.queue, [{ payload: { eventId: id }, key: `${s.queue}:${id}` }]);
    }
  }
  return id;
}

export async function getEvent(q: Queryable, id: number): Promise<DomainEvent | undefined> {
  const r = await q.query<{
    id: number;
    workspace_id: number;
    type: string;
    occurred_at: Date;
    person_id: string | null;
    data: Record<string, unknown>;
  }>('SELECT id, workspace_id, type, occurred_at, person_id, data FROM events WHERE id = $1', [id]);
  const row = r.rows[0];
  return row
    ? {
        id: row.id,
        workspaceId: row.workspace_id,
        type: row.type,
        occurredAt: row.occurred_at,
        personId: row.person_id,
        data: row.data,
      }
    : undefined;
}
