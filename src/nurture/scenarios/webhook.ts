import { z } from 'zod';
import { getPerson } from '../../people/store.ts';
import type { JobHandler } from '../../platform/jobs/worker.ts';
import { signWebhook } from '../../platform/webhook-signature.ts';
import { getScenario } from './store.ts';

const payloadSchema = z.object({ enrolmentId: z.number().int(), seq: z.number().int(), stepId: z.string() });

/**
 * The "call a webhook" step, delivered outside the step's transaction (a remote call cannot be
 * rolled back): at least once, with retries and backoff, signed like subscription webhooks
 * (`Leadflow-Signature`). The body's `id` is stable across retries so that receivers can dedupe.
 */
export const webhookJob: JobHandler = async (payload, ctx) => {
  const { enrolmentId, seq, stepId } = payloadSchema.parse(payload);
  const r = await ctx.db.query<{
    workspace_id: number;
    scenario_id: string;
    person_id: string;
    occurrence: number;
    at: Date;
  }>(
    `SELECT e.workspace_id, e.scenario_id, e.person_id, e.occurrence, sr.at
     FROM scenario_enrolments e JOIN scenario_step_runs sr ON sr.enrolment_id = e.id AND sr.seq = $2
     WHERE e.id = $1`,
    [enrolmentId, seq],
  );
  const row = r.rows[0];
  if (!row) return;
  const scenario = await getScenario(ctx.db, row.workspace_id, row.scenario_id);
  const step = scenario.steps.find((s) => s.id === stepId);
  if (!step || step.type !== 'webhook') return;
  const person = await getPerson(ctx.db, row.workspace_id, row.person_id);
  const body = JSON.stringify({
    id: `scn-webhook:${enrolmentId}:${seq}`,
    type: 'scenario.webhook',
    occurredAt: row.at,
    data: {
      scenarioId: scenario.id,
      scenarioName: scenario.name,
      stepId,
      occurrence: row.occurrence,
      person: {
        id: person.id,
        email: person.email,
        lastName: person.lastName,
        firstName: person.firstName,
        company: person.company,
        stage: person.stage,
        ownerId: person.ownerId,
        fitGrade: person.fitGrade,
        engagementScore: person.engagementScore,
      },
    },
  });
  const res = await fetch(step.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Leadflow-Webhook/1',
      'Leadflow-Signature': signWebhook(scenario.webhookSecret, body, ctx.clock.now()),
    },
    body,
    signal: AbortSignal.timeout(10_000),
    redirect: 'manual',
  });
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered ${res.status}`);
};
