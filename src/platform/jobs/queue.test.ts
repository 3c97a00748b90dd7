import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../../test/helpers/db.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { AppContext } from '../http/context.ts';
import { silentLog } from '../log.ts';
import { claimJobs, enqueue, enqueueMany } from './queue.ts';
import { type JobHandler, startWorker } from './worker.ts';

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
    expect(
      await enqueueMany(db, 'q.once', [
        { payload: {}, key: 'only-once' },
        { payload: {}, key: 'other' },
      ]),
    ).toBe(1);
  });

  it('never hands the same job to two claimers', async () => {
    await enqueueMany(
      db,
      'q.claim',
      Array.from({ length: 20 }, (_, i) => ({ payload: { i } })),
    );
    const [a, b] = await Promise.all([
      claimJobs(db, ['q.claim'], 'a', 15, 60),
      claimJobs(db, ['q.claim'], 'b', 15, 60),
    ]);
    const ids = [...a, ...b].map((j) => j.id);
    expect(ids.length).toBe(20);
    expect(new Set(ids).size).toBe(20);
    expect(await claimJobs(db, ['q.claim'], 'c', 10, 60)).toHaveLength(0);
  });

  it('claims round robin over queues, so a backlog in one never starves another', async () => {
    await enqueueMany(
      db,
      'q.backlog',
      Array.from({ length: 50 }, (_, i) => ({ payload: { i } })),
    );
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
    const row = (
      await db.query<{ status: string; attempts: number; last_error: string }>(
        `SELECT status, attempts, last_error FROM jobs WHERE queue = 'q.flaky'`,
      )
    ).rows[0];
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'receiver down' });
    await db.query(`UPDATE jobs SET run_at = now() WHERE queue = 'q.flaky'`);
    await worker.drain();
    const final = (await db.query<{ status: string }>(`SELECT status FROM jobs WHERE queue = 'q.flaky'`))
      .rows[0];
    expect(final.status).toBe('failed');
    expect(calls).toBe(2);
    await worker.stop();
  });

  it('runs every job exactly once with several workers competing', async () => {
    const seen: number[] = [];
    const handler = async (payload: unknown) => {
      seen.push((payload as { i: number }).i);
    };
    await enqueueMany(
      db,
      'q.compete',
      Array.from({ length: 60 }, (_, i) => ({ payload: { i } })),
    );
    const workers = [1, 2, 3].map(() =>
      startWorker({ ctx, handlers: { 'q.compete': handler }, batchSize: 5 }, false),
    );
    await Promise.all(workers.map((w) => w.drain()));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    await Promise.all(workers.map((w) => w.stop()));
  });

  it("hands a queue's claimed jobs to its batch handler together; a batch that throws runs its jobs singly, and only the bad one fails", async () => {
    const batches: number[][] = [];
    const singles: number[] = [];
    const handler: JobHandler = Object.assign(
      async (payload: unknown) => {
        const i = (payload as { i: number }).i;
        if (i === 13) throw new Error('thirteen');
        singles.push(i);
      },
      {
        batch: async (jobs: { id: number; payload: unknown }[]) => {
          const items = jobs.map((j) => (j.payload as { i: number }).i);
          batches.push(items);
          if (items.includes(13)) throw new Error('a bad job in the batch');
          // Odd ones are left for single runs, as a batch handler does with jobs it cannot take.
          return {
            done: jobs.filter((j) => (j.payload as { i: number }).i % 2 === 0).map((j) => j.id),
            single: jobs.filter((j) => (j.payload as { i: number }).i % 2 === 1) as never,
          };
        },
      },
    );
    await enqueueMany(
      db,
      'q.batch',
      Array.from({ length: 20 }, (_, i) => ({ payload: { i } })),
    );
    const w = startWorker({ ctx, handlers: { 'q.batch': handler }, batchClaim: 10, concurrency: 1 }, false);
    await w.drain();
    expect(batches.map((b) => b.length)).toEqual([10, 10]);
    // The batch without 13 ran its odd jobs singly; the batch with 13 ran all of its jobs singly.
    const withBad = batches.find((b) => b.includes(13)) as number[];
    const withoutBad = batches.find((b) => !b.includes(13)) as number[];
    expect(singles.sort((a, b) => a - b)).toEqual(
      [...withoutBad.filter((i) => i % 2 === 1), ...withBad.filter((i) => i !== 13)].sort((a, b) => a - b),
    );
    const states = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM jobs WHERE queue = 'q.batch' GROUP BY status ORDER BY status`,
    );
    expect(states.rows).toEqual([
      { status: 'done', n: 19 },
      { status: 'pending', n: 1 },
    ]);
    const bad = await db.query<{ last_error: string; attempts: number }>(
      `SELECT last_error, attempts FROM jobs WHERE queue = 'q.batch' AND status = 'pending'`,
    );
    expect(bad.rows[0]).toMatchObject({ last_error: 'thirteen', attempts: 1 });
    await w.stop();
  });
});
