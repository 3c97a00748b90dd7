import { randomUUID } from 'node:crypto';
import type { AppContext } from '../http/context.ts';
import { claimJobs, completeJob, enqueue, failJob, type JobRow } from './queue.ts';

export interface JobContext extends AppContext {
  job: JobRow;
}

/** A handler receives the payload as `unknown`: it may have been queued by older code. Parse it first. */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

export interface PeriodicTask {
  queue: string;
  /** How often to enqueue it, in seconds. */
  everySeconds: number;
}

export interface WorkerOptions {
  ctx: AppContext;
  handlers: Record<string, JobHandler>;
  periodic?: PeriodicTask[];
  /** Jobs claimed per poll. (Default: 10, or the concurrency when higher) */
  batchSize?: number;
  /**
   * Jobs of a claimed batch run at once. Jobs are independent and already run side by side
   * in several worker processes, so this only spends the connection pool better: SMTP and
   * webhook round trips overlap instead of queueing. (Default: 4 on PostgreSQL, 1 on the
   * embedded database, whose single connection would only take turns; WORKER_CONCURRENCY)
   */
  concurrency?: number;
  /** Idle poll interval in ms. (Default: 500) */
  pollMs?: number;
  /** Lease of a claimed job: after this a crashed worker's job is due again. (Default: 300) */
  leaseSeconds?: number;
}

export interface Worker {
  stop(): Promise<void>;
  /** Runs every due job until none is left; for tests and the bench. */
  drain(maxRounds?: number): Promise<number>;
}

export function startWorker(opts: WorkerOptions, autoStart = true): Worker {
  const { db, log, clock } = opts.ctx;
  const id = `w-${randomUUID().slice(0, 8)}`;
  const queues = Object.keys(opts.handlers);
  const fromEnv = Number(process.env.WORKER_CONCURRENCY);
  const concurrency = Math.max(
    1,
    Math.floor(
      opts.concurrency ??
        (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : db.kind === 'postgres' ? 4 : 1),
    ),
  );
  const batch = Math.max(opts.batchSize ?? 10, concurrency);
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const lastPeriodic = new Map<string, number>();

  async function schedulePeriodic(): Promise<void> {
    const now = clock.now().getTime();
    for (const task of opts.periodic ?? []) {
      const bucket = Math.floor(now / (task.everySeconds * 1000));
      if (lastPeriodic.get(task.queue) === bucket) continue;
      lastPeriodic.set(task.queue, bucket);
      // The bucket in the key makes this idempotent across many workers.
      await enqueue(db, task.queue, {}, { key: `periodic:${task.queue}:${bucket}`, maxAttempts: 1 });
    }
  }

  async function runOne(job: JobRow): Promise<void> {
    const handler = opts.handlers[job.queue];
    const started = Date.now();
    try {
      await handler(job.payload, { ...opts.ctx, job });
      await completeJob(db, job.id);
      log.debug({ queue: job.queue, jobId: job.id, ms: Date.now() - started }, 'job done');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const outcome = await failJob(db, job, message);
      log.warn(
        { queue: job.queue, jobId: job.id, attempt: job.attempts, outcome, err: message },
        'job failed',
      );
    }
  }

  async function tick(): Promise<number> {
    await schedulePeriodic();
    const jobs = await claimJobs(db, queues, id, batch, opts.leaseSeconds ?? 300);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
        while (next < jobs.length) await runOne(jobs[next++]);
      }),
    );
    return jobs.length;
  }

  // The background loop: `concurrency` slots take jobs from the claimed batch, and a slot that
  // finds it empty claims the next one (one claim at a time per worker). A long job holds one
  // slot, not the worker: when a batch had to finish before the next claim, a 90 s rescore left
  // the other slots idle and new work waiting behind it.
  const local: JobRow[] = [];
  let claiming: Promise<number> | undefined;
  const sleepers = new Set<() => void>();
  function refill(): Promise<number> {
    claiming ??= (async () => {
      try {
        await schedulePeriodic();
        const jobs = await claimJobs(db, queues, id, batch, opts.leaseSeconds ?? 300);
        local.push(...jobs);
        return jobs.length;
      } finally {
        claiming = undefined;
      }
    })();
    return claiming;
  }
  function nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }
  async function slot(): Promise<void> {
    // On stop, the jobs already claimed still run (they are leased to this worker).
    while (!stopped || local.length > 0) {
      const job = local.shift();
      if (job) {
        try {
          await runOne(job);
        } catch (err) {
          // Completing or failing the job did not reach the database: its lease runs out and it is due again.
          log.error(
            { queue: job.queue, jobId: job.id, err: err instanceof Error ? err.message : String(err) },
            'job not recorded',
          );
        }
        continue;
      }
      if (stopped) break;
      let n = 0;
      try {
        n = await refill();
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'worker poll failed');
      }
      if (local.length === 0 && !stopped) await nap(n > 0 ? 0 : (opts.pollMs ?? 500));
    }
  }

  if (autoStart) running = Promise.all(Array.from({ length: concurrency }, () => slot()));

  return {
    async stop() {
      stopped = true;
      for (const wake of [...sleepers]) wake();
      await running.catch(() => undefined);
    },
    async drain(maxRounds = 1000) {
      let total = 0;
      for (let i = 0; i < maxRounds; i++) {
        const n = await tick();
        total += n;
        if (n === 0) break;
      }
      return total;
    },
  };
}
