import type { Queryable } from './db/client.ts';

/**
 * Who listens to which domain events. Each entry is a job queue whose handler receives
 * `{ eventId }`: one job per interested subscriber per event, enqueued in the emitting
 * transaction. `when` is an SQL condition over the new event `ev` (id, workspace_id, type,
 * person_id), checked in that same transaction, so an event nobody can act on costs no job —
 * a 100K-row import with no webhook endpoints and no running scenarios enqueues nothing for
 * them. Features add their line here and register the handler in their folder's jobs.
 */
export interface EventSubscriber {
  queue: string;
  types: readonly string[] | '*';
  when?: string;
}

/**
 * What a running scenario can act on (src/nurture/scenarios/triggers.ts reads these too): the
 * event each trigger type fires on, and the events after which a pass's goal may be reached.
 */
export const SCENARIO_EVENT_TRIGGERS = {
  'form.submitted': 'form_submitted',
  'person.stage_changed': 'stage_changed',
  'person.score_changed': 'score_crossed',
} as const;
export const SCENARIO_GOAL_EVENTS = [
  'person.stage_changed',
  'person.score_changed',
  'person.updated',
  'form.submitted',
  'person.assigned',
] as const;
const SCENARIO_TRIGGER_EVENTS = Object.keys(SCENARIO_EVENT_TRIGGERS);
const sqlList = (xs: readonly string[]) => xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ');

export const EVENT_SUBSCRIBERS: EventSubscriber[] = [
  {
    queue: 'webhooks.fanout',
    types: '*',
    when: `EXISTS (SELECT 1 FROM webhook_subscriptions s
                   WHERE s.workspace_id = ev.workspace_id AND s.enabled AND (ev.type = ANY (s.events) OR '*' = ANY (s.events)))`,
  },
  {
    queue: 'scenarios.trigger',
    types: [...new Set([...SCENARIO_TRIGGER_EVENTS, ...SCENARIO_GOAL_EVENTS])],
    // scenarios_active_trigger_idx; scenario_enrolments_active_person_idx
    when: `(ev.type IN (${sqlList(SCENARIO_TRIGGER_EVENTS)}) AND EXISTS (
              SELECT 1 FROM scenarios sc WHERE sc.workspace_id = ev.workspace_id AND sc.status = 'active'
                AND sc.trigger->>'type' = CASE ev.type ${Object.entries(SCENARIO_EVENT_TRIGGERS)
                  .map(([event, trigger]) => `WHEN ${sqlList([event])} THEN ${sqlList([trigger])}`)
                  .join(' ')} END))
           OR (ev.type IN (${sqlList(SCENARIO_GOAL_EVENTS)}) AND EXISTS (
              SELECT 1 FROM scenario_enrolments en WHERE en.person_id = ev.person_id AND en.status = 'active'))`,
  },
  { queue: 'scoring.events', types: ['person.created', 'person.updated'] },
  { queue: 'handoff.events', types: ['person.stage_changed'] },
];

/**
 * The statement tail that turns a CTE `ev(id, workspace_id, type, person_id)` of new events
 * into their subscribers' jobs, set-based: one INSERT for any number of events.
 */
export function subscriberJobsSql(opts: { except?: readonly string[] } = {}): string {
  const parts = EVENT_SUBSCRIBERS.filter((s) => !opts.except?.includes(s.queue)).map((s) => {
    const conds = [
      s.types === '*' ? null : `ev.type IN (${sqlList(s.types)})`,
      s.when ? `(${s.when})` : null,
    ].filter(Boolean);
    return `SELECT '${s.queue}'::text AS queue, ev.id FROM ev${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`;
  });
  return `INSERT INTO jobs (queue, payload, key)
    SELECT sub.queue, jsonb_build_object('eventId', sub.id), sub.queue || ':' || sub.id
    FROM (${parts.join('\n UNION ALL ')}) AS sub
    ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`;
}

export interface DomainEvent {
  id: number;
  workspaceId: number;
  type: string;
  occurredAt: Date;
  personId: string | null;
  data: Record<string, unknown>;
}

/** Records a domain event and schedules its interested subscribers, in the caller's transaction (one statement). */
export async function emitEvent(
  q: Queryable,
  workspaceId: number,
  type: string,
  data: Record<string, unknown>,
  personId: string | null = null,
): Promise<number> {
  const r = await q.query<{ id: number }>(
    `WITH ev AS (
       INSERT INTO events (workspace_id, type, person_id, data) VALUES ($1, $2, $3, $4)
       RETURNING id, workspace_id, type, person_id),
     subscribed AS (${subscriberJobsSql()})
     SELECT id FROM ev`,
    [workspaceId, type, personId, JSON.stringify(data)],
  );
  return r.rows[0].id;
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
