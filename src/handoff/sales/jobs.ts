import { z } from 'zod';
import { getEvent } from '../../platform/events.ts';
import type { JobHandler } from '../../platform/jobs/worker.ts';
import { systemActor } from '../../team/audit.ts';
import { assignPeople, NOTIFY_QUEUE, notifyAssignment } from './assign.ts';
import { escalateBreaches, SLA_QUEUE } from './sla.ts';

export const EVENTS_QUEUE = 'handoff.events';

const eventPayload = z.object({ eventId: z.coerce.number().int() });
const stageData = z.object({
  from: z.string().nullable().optional(),
  to: z.string(),
  reason: z.string().nullable().optional(),
});

/**
 * Reacts to stage changes: a person who became MQL is assigned by the rules (once per event);
 * a person who left MQL by any route other than accept/reject closes its open handoff.
 */
const onStageChanged: JobHandler = async (payload, ctx) => {
  const { eventId } = eventPayload.parse(payload);
  const event = await getEvent(ctx.db, eventId);
  if (!event || event.type !== 'person.stage_changed' || !event.personId) return;
  const data = stageData.safeParse(event.data);
  if (!data.success) return;
  const personId = event.personId;
  await ctx.db.transaction(async (tx) => {
    const current = await tx.query<{ stage: string }>(
      'SELECT stage FROM people WHERE workspace_id = $1 AND id = $2',
      [event.workspaceId, personId],
    );
    const stage = current.rows[0]?.stage;
    if (!stage) return;
    if (data.data.to === 'mql') {
      // A lead accepted or recycled before this job ran needs no owner from the rules any more.
      if (stage !== 'mql') return;
      await assignPeople(tx, ctx, systemActor('handoff', event.workspaceId), [personId], {
        trigger: 'mql',
        keepExistingOwner: true,
        sourceEventId: event.id,
        now: ctx.clock.now(),
      });
      return;
    }
    if (stage === 'mql') return;
    const to = data.data.to;
    const status = ['sal', 'sql', 'sgl', 'won'].includes(to)
      ? 'accepted'
      : ['recycled', 'disqualified', 'lost'].includes(to)
        ? 'rejected'
        : 'closed';
    await tx.query(
      `UPDATE handoffs SET status = $3, decided_at = $4, decided_by = 'stage change', outcome_stage = $5, reason = $6
       WHERE workspace_id = $1 AND person_id = $2 AND status = 'awaiting' AND mql_at <= $4`,
      [event.workspaceId, personId, status, event.occurredAt, to, data.data.reason ?? null],
    );
  });
};

const notifyPayload = z.object({ assignmentId: z.coerce.number().int() });

const runNotify: JobHandler = async (payload, ctx) => {
  const { assignmentId } = notifyPayload.parse(payload);
  await ctx.db.transaction((tx) => notifyAssignment(tx, ctx, assignmentId, ctx.clock.now()));
};

const runSla: JobHandler = async (_payload, ctx) => {
  await escalateBreaches(ctx, ctx.clock.now());
};

export const salesJobs: Record<string, JobHandler> = {
  [EVENTS_QUEUE]: onStageChanged,
  [SLA_QUEUE]: runSla,
  [NOTIFY_QUEUE]: runNotify,
};
