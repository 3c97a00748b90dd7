import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../../test/helpers/db.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { AppContext } from '../http/context.ts';
import { silentLog } from '../log.ts';
import { claimJobs, enqueue, enqueueMany } from './queue.ts';
import { startWorker } from './worker.ts';

let db: Db;
let ctx: AppContext;
beforeAll(async () => {
  db = await createTestDb();
  ctx = { db, clock: systemClock, log: silentLog, config: loadConfig({}), secret: 'x'.repeat(32) };
});
afterAll(async () => {
  await db?.close();
});

describe('the durable job queue', () => {
  it('enqueues a keyed job once, however often it is asked', async () => {
    expect(await enqueue(db, 'q.once', { n: 1 }, { key: 'only-once' })).toBe(true);
    expect(await enqueue(db, 'q.once', { n: 2 }, { key: 'only-once' })).toBe(false);
    expect(await enqueueMany(db, 'q.once', [{ payload: {}, key: 'only-once' }, { payload: {}, key: 'other' }])).toBe(1);
  });

  it('never hands the same job to two claimers', async () => {
    await enqueueMany(db, 'q.claim', Array.from({ length: 20 }, (_, i) => ({ payload: { i } })));
    const [a, b] = await Promise.all([claimJobs(db, ['q.claim'], 'a', 15, 60), claimJobs(db, ['q.claim'], 'b', 15, 60)]);
    const ids = [...a, ...b].map((j) => j.id);
    expect(ids.length).toBe(20);
    expect(new Set(ids).size).toBe(20);
    expect(await claimJobs(db, ['q.claim'], 'c', 10, 60)).toHaveLength(0);
  });

  it('claims round robin over queues, so a backlog in one never starves another', async () => {
    await enqueueMany(db, 'q.backlog', Array.from({ length: 50 }, (_, i) => ({ payload: { i } })));
    await enqueue(db, 'q.urgent', { live: true });
    const claimed = await claimJobs(db, ['q.backlog', 'q.urgent'], 'fair', 5, 60);
    expect(claimed).toHaveLength(5);
    expect(claimed.filter((j) => j.queue === 'q.urgent')).toHaveLength(1);
    // Within a queue, oldest first.
    const backlog = claimed.filter((j) => j.queue === 'q.backlog').map((j) => (j.payload as { i: number }).i);
    expect(backlog).toEqual([0, 1, 2, 3]);
  });

  it('makes a job due again when its worker died and the lease ran out', async () => {
    await enqueue(db, 'q.lease', {});
    const first = await claimJobs(db, ['q.lease'], 'dead-worker', 1, 60);
    expect(first).toHaveLength(1);
    await db.query(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1`, [first[0].id]);
    const again = await claimJobs(db, ['q.lease'], 'new-worker', 1, 60);
    expect(again.map((j) => j.id)).toEqual([first[0].id]);
    expect(again[0].attempts).toBe(2);
  });

  it('retries a failing job with backoff and marks it failed after its last attempt', async () => {
    let calls = 0;
    const worker = startWorker(
      {
        ctx,
        handlers: {
          'q.flaky': async () => {
            calls++;
            throw new Error('receiver down');
          },
        },
      },
      false,
    );
    await enqueue(db, 'q.flaky', {}, { maxAttempts: 2 });
    await worker.drain();
    const row = (await db.query<{ status: string; attempts: number; last_error: string }>(`SELECT status, attempts, last_error FROM jobs WHERE queue = 'q.flaky'`)).rows[0];
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'receiver down' });
    await db.query(`UPDATE jobs SET run_at = now() WHERE queue = 'q.flaky'`);
    await worker.drain();
    const final = (await db.query<{ status: string }>(`SELECT status FROM jobs WHERE queue = 'q.flaky'`)).rows[0];
    expect(final.status).toBe('failed');
    expect(calls).toBe(2);
    await worker.stop();
  });

  it('runs every job exactly once with several workers competing', async () => {
    const seen: number[] = [];
    const handler = async (payload: unknown) => {
      seen.push((payload as { i: number }).i);
    };
    await enqueueMany(db, 'q.compete', Array.from({ length: 60 }, (_, i) => ({ payload: { i } })));
    const workers = [1, 2, 3].map(() => startWorker({ ctx, handlers: { 'q.compete': handler }, batchSize: 5 }, false));
    await Promise.all(workers.map((w) => w.drain()));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    await Promise.all(workers.map((w) => w.stop()));
  });
});
