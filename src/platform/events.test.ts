import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../test/helpers/db.ts';
import type { Db } from './db/client.ts';
import { emitEvent, subscriberJobsSql } from './events.ts';

let db: Db;
let personId: string;
beforeAll(async () => {
  db = await createTestDb();
  const r = await db.query<{ id: string }>(
    `INSERT INTO people (workspace_id, email) VALUES (1, 'events@example.co.jp') RETURNING id`,
  );
  personId = r.rows[0].id;
});
afterAll(async () => {
  await db?.close();
});

async function queuesFor(eventId: number): Promise<string[]> {
  const r = await db.query<{ queue: string }>(`SELECT queue FROM jobs WHERE payload->>'eventId' = $1 ORDER BY queue`, [
    String(eventId),
  ]);
  return r.rows.map((x) => x.queue);
}

describe('domain events', () => {
  it('enqueue a job only for subscribers that can act on them', async () => {
    // Nobody listens for webhooks and no scenario runs: only scoring hears of the update.
    const quiet = await emitEvent(db, 1, 'person.updated', { personId }, personId);
    expect(await queuesFor(quiet)).toEqual(['scoring.events']);
    const stage = await emitEvent(db, 1, 'person.stage_changed', { personId, to: 'mql' }, personId);
    expect(await queuesFor(stage)).toEqual(['handoff.events']);

    await db.query(
      `INSERT INTO webhook_subscriptions (workspace_id, url, events, secret) VALUES (1, 'https://crm.example.com/in', '{person.updated}', 's')`,
    );
    const heard = await emitEvent(db, 1, 'person.updated', { personId }, personId);
    expect(await queuesFor(heard)).toEqual(['scoring.events', 'webhooks.fanout']);
    // The endpoint wants updates only.
    expect(await queuesFor(await emitEvent(db, 1, 'person.assigned', { personId }, personId))).toEqual([]);

    // A running scenario started by hand is not interested in stage changes…
    await db.query(
      `INSERT INTO scenarios (workspace_id, name, status, trigger, steps, webhook_secret)
       VALUES (1, 'Campaign send', 'active', '{"type":"manual"}', '[]', 's')`,
    );
    expect(await queuesFor(await emitEvent(db, 1, 'person.stage_changed', { personId, to: 'mql' }, personId))).toEqual([
      'handoff.events',
    ]);
    // …one triggered by them is.
    await db.query(
      `INSERT INTO scenarios (workspace_id, name, status, trigger, steps, webhook_secret)
       VALUES (1, 'MQL follow-up', 'active', '{"type":"stage_changed","to":"mql"}', '[]', 's')`,
    );
    const triggering = await emitEvent(db, 1, 'person.stage_changed', { personId, to: 'mql' }, personId);
    expect(await queuesFor(triggering)).toEqual(['handoff.events', 'scenarios.trigger']);
  });

  it('schedules many events in one statement with the same rules', async () => {
    const r = await db.query<{ id: number; type: string }>(
      `WITH ev AS (
         INSERT INTO events (workspace_id, type, person_id, data)
         SELECT 1, t, $1, '{}' FROM unnest('{person.updated,person.created,opportunity.won}'::text[]) AS t
         RETURNING id, workspace_id, type, person_id),
       jobs_added AS (${subscriberJobsSql({ except: ['scoring.events'] })} RETURNING 1)
       SELECT id, type FROM ev ORDER BY id`,
      [personId],
    );
    const byType = Object.fromEntries(await Promise.all(r.rows.map(async (e) => [e.type, await queuesFor(e.id)])));
    expect(byType).toEqual({ 'person.updated': ['webhooks.fanout'], 'person.created': [], 'opportunity.won': [] });
  });
});
