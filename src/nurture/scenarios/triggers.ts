import { z } from 'zod';
import type { Queryable } from '../../platform/db/client.ts';
import {
  type DomainEvent,
  getEvent,
  SCENARIO_EVENT_TRIGGERS,
  SCENARIO_GOAL_EVENTS,
} from '../../platform/events.ts';
import type { AppContext } from '../../platform/http/context.ts';
import type { JobHandler } from '../../platform/jobs/worker.ts';
import { segmentFilter } from '../mail/api.ts';
import { exitOnGoals, rescheduleActive } from './engine.ts';
import { enrolPeople, enrolPerson, enrolSegmentEntrants } from './enrol.ts';
import type { Scenario, Trigger } from './model.ts';
import { SCENARIO_COLUMNS, toScenario } from './store.ts';
import { localParts } from './time.ts';

export const TRIGGER_QUEUE = 'scenarios.trigger';
export const TICK_QUEUE = 'scenarios.tick';
export const EVALUATE_QUEUE = 'scenarios.evaluate';

/** Which trigger type an event can fire. */
const EVENT_TRIGGERS: Record<string, Trigger['type']> = SCENARIO_EVENT_TRIGGERS;

/** Events after which a person's goals may have been reached. */
const GOAL_EVENTS = new Set<string>(SCENARIO_GOAL_EVENTS);

async function activeScenarios(
  q: Queryable,
  workspaceId: number,
  triggerType: Trigger['type'],
): Promise<Scenario[]> {
  // scenarios_active_trigger_idx
  const r = await q.query<Parameters<typeof toScenario>[0]>(
    `SELECT ${SCENARIO_COLUMNS} FROM scenarios WHERE workspace_id = $1 AND status = 'active' AND trigger->>'type' = $2`,
    [workspaceId, triggerType],
  );
  return r.rows.map(toScenario);
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Whether an event fires a scenario's trigger. Pure. */
export function eventFires(trigger: Trigger, event: Pick<DomainEvent, 'type' | 'data'>): boolean {
  const d = event.data;
  switch (trigger.type) {
    case 'form_submitted':
      return event.type === 'form.submitted' && (!trigger.formId || d.formId === trigger.formId);
    case 'stage_changed':
      return (
        event.type === 'person.stage_changed' &&
        d.to === trigger.to &&
        (!trigger.from || d.from === trigger.from)
      );
    case 'score_crossed': {
      if (event.type !== 'person.score_changed') return false;
      const key = trigger.score === 'fit' ? 'fitScore' : 'engagementScore';
      const now = num(d[key]);
      const before = num((d.previous as Record<string, unknown> | undefined)?.[key]) ?? 0;
      return now !== null && before < trigger.threshold && now >= trigger.threshold;
    }
    default:
      return false;
  }
}

/**
 * Every domain event reaches here once (`scenarios.trigger`): people whose goal is now reached
 * leave their scenarios, and the scenarios the event triggers enrol the person. Enrolment is
 * idempotent per event (a re-run finds the person already active, or re-entry refused).
 */
export const triggerJob: JobHandler = async (payload, ctx) => {
  const { eventId } = z.object({ eventId: z.number().int() }).parse(payload);
  const event = await getEvent(ctx.db, eventId);
  if (!event?.personId) return;
  if (GOAL_EVENTS.has(event.type)) await exitOnGoals(ctx, event.workspaceId, event.personId);
  const type = EVENT_TRIGGERS[event.type];
  if (!type) return;
  const personId = event.personId;
  for (const scenario of await activeScenarios(ctx.db, event.workspaceId, type)) {
    if (!eventFires(scenario.trigger, event)) continue;
    await ctx.db.transaction(async (tx) => {
      // A pass this very event already started (the job ran before) is not started again.
      const seen = await tx.query(
        'SELECT 1 FROM scenario_enrolments WHERE scenario_id = $1 AND trigger_event_id = $2 AND person_id = $3',
        [scenario.id, event.id, personId],
      );
      if (seen.rows.length === 0)
        await enrolPerson(tx, event.workspaceId, scenario, personId, {
          source: 'trigger',
          eventId: event.id,
          now: ctx.clock.now(),
        });
    });
  }
};

/** Segment and date triggers of one scenario: who entered the segment, whose date is today. */
export async function evaluateScenario(
  ctx: AppContext,
  scenario: Scenario & { workspaceId: number },
  opts: { enrol?: boolean } = {},
): Promise<number> {
  const now = ctx.clock.now();
  const t = scenario.trigger;
  if (t.type === 'segment_entered') {
    const filter = await segmentFilter(ctx.db, scenario.workspaceId, t.segmentId);
    return ctx.db.transaction(async (tx) => {
      // Locks the scenario row: two workers evaluating at once take turns.
      const r = await tx.query<{ segment_evaluated_at: Date | null }>(
        'SELECT segment_evaluated_at FROM scenarios WHERE id = $1 FOR UPDATE',
        [scenario.id],
      );
      const first = !r.rows[0]?.segment_evaluated_at;
      const enrol = opts.enrol ?? !(first && t.includeExisting === false);
      await tx.query('UPDATE scenarios SET segment_evaluated_at = $2 WHERE id = $1', [scenario.id, now]);
      return enrolSegmentEntrants(tx, scenario.workspaceId, scenario, filter, {
        source: 'segment',
        now,
        enrol,
      });
    });
  }
  if (t.type === 'date_field') {
    const p = localParts(now, scenario.timeZone);
    const today = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
    const key = t.field.slice('customFields.'.length);
    return ctx.db.transaction((tx) =>
      enrolPeople(
        tx,
        scenario.workspaceId,
        scenario,
        {
          sql: `SELECT p.id AS person_id FROM people p WHERE p.workspace_id = $10
                AND CASE WHEN p.custom_fields->>$11 ~ '^\\d{4}-\\d{2}-\\d{2}' THEN substr(p.custom_fields->>$11, 1, 10)::date + $12::int = $13::date END`,
          params: [scenario.workspaceId, key, t.offsetDays, today],
        },
        { source: 'date', now },
      ),
    );
  }
  return 0;
}

async function scenariosWithPeriodicTriggers(
  q: Queryable,
  scenarioId?: string,
): Promise<(Scenario & { workspaceId: number })[]> {
  const r = await q.query<Parameters<typeof toScenario>[0] & { workspace_id: number }>(
    `SELECT workspace_id, ${SCENARIO_COLUMNS} FROM scenarios
     WHERE status = 'active' AND trigger->>'type' IN ('segment_entered', 'date_field') AND ($1::uuid IS NULL OR id = $1)`,
    [scenarioId ?? null],
  );
  return r.rows.map((row) => ({ ...toScenario(row), workspaceId: row.workspace_id }));
}

/** Every minute: segment entries and date triggers of all active scenarios. */
export const tickJob: JobHandler = async (_payload, ctx) => {
  for (const s of await scenariosWithPeriodicTriggers(ctx.db)) {
    try {
      await evaluateScenario(ctx, s);
    } catch (err) {
      ctx.log.warn(
        { scenarioId: s.id, err: err instanceof Error ? err.message : String(err) },
        'scenario trigger evaluation failed',
      );
    }
  }
};

/**
 * Right after activation: take the segment snapshot (enrolling existing members unless the
 * trigger says otherwise) and schedule again whoever a pause held.
 */
export const evaluateJob: JobHandler = async (payload, ctx) => {
  const { scenarioId } = z
    .object({ scenarioId: z.uuid(), activation: z.boolean().default(false) })
    .parse(payload);
  const [s] = await scenariosWithPeriodicTriggers(ctx.db, scenarioId);
  if (s) await evaluateScenario(ctx, s);
  await rescheduleActive(ctx.db, scenarioId, ctx.clock.now());
};
