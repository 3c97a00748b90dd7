import { randomUUID } from 'node:crypto';
import type { AppContext } from '../http/context.ts';
import { claimJobs, completeJob, completeJobs, enqueue, failJob, type JobRow } from './queue.ts';

export interface JobContext extends AppContext {
  job: JobRow;
}

/**
 * A handler receives the payload as `unknown`: it may have been queued by older code. Parse it
 * first. A handler may also take the claimed jobs of its queue together (`batch`, e.g. one
 * transaction for fifty scenario steps instead of fifty): see BatchJobHandler.
 */
export type JobHandler = ((payload: unknown, ctx: JobContext) => Promise<void>) & { batch?: BatchJobHandler };

/**
 * What a batch handler did with each job: `done` are completed (one statement), `failed` are
 * retried with backoff or failed for good like a single job that threw, and `single` run one by
 * one through the plain handler (a job the batch could not take, e.g. one locked elsewhere).
 * If the batch handler throws, every job of the batch runs singly: one bad job cannot fail the
 * others, and it fails on its own.
 */
export interface BatchOutcome {
  done: number[];
  failed?: { job: JobRow; error: string }[];
  single?: JobRow[];
}

export type BatchJobHandler = (jobs: JobRow[], ctx: AppContext) => Promise<BatchOutcome>;

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
  /** Jobs of the queues that take batches claimed per poll. (Default: 50, or batchSize when higher) */
  batchClaim?: number;
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
  // Queues whose handler takes batches are claimed on their own, more at a time: a batch of
  // fifty scenario steps is one transaction, where fifty single jobs were fifty.
  const batchQueues = queues.filter((q) => opts.handlers[q].batch);
  const singleQueues = queues.filter((q) => !opts.handlers[q].batch);
  const batchClaim = Math.max(opts.batchClaim ?? 50, batch);
  async function claim(): Promise<JobRow[]> {
    const lease = opts.leaseSeconds ?? 300;
    const single = singleQueues.length ? await claimJobs(db, singleQueues, id, batch, lease) : [];
    const batched = batchQueues.length ? await claimJobs(db, batchQueues, id, batchClaim, lease) : [];
    return [...single, ...batched];
  }
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

  /** Runs jobs of one queue whose handler takes batches; falls back to single runs per job. */
  async function runBatch(jobs: JobRow[]): Promise<void> {
    const queue = jobs[0].queue;
    const started = Date.now();
    let outcome: BatchOutcome;
    try {
      outcome = await (opts.handlers[queue].batch as BatchJobHandler)(jobs, opts.ctx);
    } catch (err) {
      log.warn(
        { queue, jobs: jobs.length, err: err instanceof Error ? err.message : String(err) },
        'batch failed; running its jobs one by one',
      );
      for (const job of jobs) await runOne(job);
      return;
    }
    await completeJobs(db, outcome.done);
    for (const { job, error } of outcome.failed ?? []) {
      const result = await failJob(db, job, error);
      log.warn({ queue, jobId: job.id, attempt: job.attempts, outcome: result, err: error }, 'job failed');
    }
    for (const job of outcome.single ?? []) await runOne(job);
    log.debug({ queue, jobs: jobs.length, ms: Date.now() - started }, 'batch done');
  }

  /** The next unit of work from a claimed list: one job, or every job of its queue when the queue takes batches. */
  function takeWork(list: JobRow[]): JobRow[] {
    const job = list.shift();
    if (!job) return [];
    if (!opts.handlers[job.queue]?.batch) return [job];
    const group = [job];
    for (let i = 0; i < list.length; ) {
      if (list[i].queue === job.queue) group.push(...list.splice(i, 1));
      else i++;
    }
    return group;
  }

  async function runWork(work: JobRow[]): Promise<void> {
    if (work.length > 1 || (work.length === 1 && opts.handlers[work[0].queue]?.batch)) await runBatch(work);
    else if (work.length === 1) await runOne(work[0]);
  }

  async function tick(): Promise<number> {
    await schedulePeriodic();
    const jobs = await claim();
    const n = jobs.length;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
        for (let work = takeWork(jobs); work.length > 0; work = takeWork(jobs)) await runWork(work);
      }),
    );
    return n;
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
        const jobs = await claim();
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
      const work = takeWork(local);
      if (work.length > 0) {
        try {
          await runWork(work);
        } catch (err) {
          // Completing or failing the jobs did not reach the database: their lease runs out and they are due again.
          log.error(
            {
              queue: work[0].queue,
              jobs: work.map((j) => j.id),
              err: err instanceof Error ? err.message : String(err),
            },
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
