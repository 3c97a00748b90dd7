import type { TestApp } from '../../test/helpers/app.ts';
import { enqueue } from '../platform/jobs/queue.ts';

export interface TestActivity {
  type: string;
  occurredAt: Date;
  properties?: Record<string, unknown>;
  campaignId?: string | null;
}

/**
 * Records activities for a person the way capture does: through `POST /api/v1/activities` when
 * that endpoint exists, otherwise written directly with the `scoring.refresh` job capture
 * enqueues after every batch.
 */
export async function addActivities(t: TestApp, personId: string, acts: TestActivity[]): Promise<void> {
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/activities',
    payload: { items: acts.map((a) => ({ personId, type: a.type, occurredAt: a.occurredAt.toISOString(), properties: a.properties ?? {}, ...(a.campaignId ? { campaignId: a.campaignId } : {}) })) },
  });
  if (r.statusCode < 300) return;
  if (r.statusCode !== 404) throw new Error(`POST /api/v1/activities answered ${r.statusCode}: ${r.body}`);
  await insertActivities(t, personId, acts);
  await enqueue(t.db, 'scoring.refresh', { personIds: [personId] });
}

/** Writes activities straight into the log, without scoring them. */
export async function insertActivities(t: TestApp, personId: string, acts: TestActivity[]): Promise<void> {
  await t.db.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id)
     SELECT 1, $1, type, at, props::jsonb, camp FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::uuid[]) AS u(type, at, props, camp)`,
    [
      personId,
      acts.map((a) => a.type),
      acts.map((a) => a.occurredAt),
      acts.map((a) => JSON.stringify(a.properties ?? {})),
      acts.map((a) => a.campaignId ?? null),
    ],
  );
}

export const daysBefore = (now: Date, days: number, hours = 0) => new Date(now.getTime() - days * 86_400_000 - hours * 3_600_000);
