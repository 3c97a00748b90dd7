import type { Queryable } from '../db/client.ts';

export interface EnqueueOptions {
  /** When the job becomes due. (Default: now) */
  runAt?: Date;
  /** Makes the enqueue idempotent: a second job with the same key is not created. */
  key?: string;
  /** How many attempts before the job is marked failed. (Default: 10) */
  maxAttempts?: number;
}

/**
 * Enqueues a job in the caller's transaction, so the job exists exactly when the change
 * that caused it commits. Returns false when a job with the same key already exists.
 */
export async function enqueue(
  q: Queryable,
  queue: string,
  payload: unknown,
  opts: EnqueueOptions = {},
): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO jobs (queue, payload, key, run_at, max_attempts)
     VALUES ($1, $2, $3, coalesce($4::timestamptz, now()), $5)
     ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`,
    [queue, JSON.stringify(payload ?? {}), opts.key ?? null, opts.runAt ?? null, opts.maxAttempts ?? 10],
  );
  return r.affectedRows > 0;
}

/** Enqueues many jobs of one queue in one statement. */
export async function enqueueMany(
  q: Queryable,
  queue: string,
  jobs: { payload: unknown; key?: string; runAt?: Date }[],
  opts: { maxAttempts?: number } = {},
): Promise<number> {
  if (jobs.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO jobs (queue, payload, key, run_at, max_attempts)
     SELECT $1, p::jsonb, k, coalesce(t, now()), $5
     FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS u(p, k, t)
     ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`,
    [
      queue,
      jobs.map((j) => JSON.stringify(j.payload ?? {})),
      jobs.map((j) => j.key ?? null),
      jobs.map((j) => j.runAt ?? null),
      opts.maxAttempts ?? 10,
    ],
  );
  return r.affectedRows;
}

export interface JobRow {
  id: number;
  queue: string;
  payload: unknown;
  key: string | null;
  attempts: number;
  max_attempts: number;
}

/** Claims up to `limit` due jobs of the given queues with a lease (FOR UPDATE SKIP LOCKED). */
export async function claimJobs(
  q: Queryable,
  queues: string[],
  workerId: string,
  limit: number,
  leaseSeconds: number,
): Promise<JobRow[]> {
  // Round robin over the queues (jobs_queue_due_idx): the oldest due job of every queue first,
  // then the second of each, so one queue's backlog never starves another.
  const r = await q.query<JobRow>(
    `UPDATE jobs SET attempts = attempts + 1, locked_by = $2,
            locked_until = now() + make_interval(secs => $4)
     WHERE id IN (
       SELECT c.id FROM unnest($1::text[]) AS qn(name)
       CROSS JOIN LATERAL (
         SELECT x.id, x.run_at, row_number() OVER (ORDER BY x.run_at, x.id) AS rn FROM (
           SELECT id, run_at FROM jobs
           WHERE queue = qn.name AND status = 'pending' AND run_at <= now()
             AND (locked_until IS NULL OR locked_until < now())
           ORDER BY run_at, id
           LIMIT $3
           FOR UPDATE SKIP LOCKED) x) c
       ORDER BY c.rn, c.run_at, c.id
       LIMIT $3)
     RETURNING id, queue, payload, key, attempts, max_attempts`,
    [queues, workerId, limit, leaseSeconds],
  );
  // Within one claim, run in the order they were queued.
  r.rows.sort((a, b) => Number(a.id) - Number(b.id));
  return r.rows;
}

export async function completeJob(q: Queryable, id: number): Promise<void> {
  await q.query(
    `UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1`,
    [id],
  );
}

export async function completeJobs(q: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query(
    `UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL, last_error = NULL WHERE id = ANY($1::bigint[])`,
    [ids],
  );
}

/** Retries with exponential backoff (2^attempts seconds, capped at an hour), or fails for good. */
export async function failJob(q: Queryable, job: JobRow, error: string): Promise<'retry' | 'failed'> {
  const final = job.attempts >= job.max_attempts;
  const delay = Math.min(3600, 2 ** job.attempts);
  await q.query(
    `UPDATE jobs SET status = $2, last_error = $3, locked_until = NULL,
            run_at = CASE WHEN $2 = 'pending' THEN now() + make_interval(secs => $4) ELSE run_at END,
            finished_at = CASE WHEN $2 = 'failed' THEN now() END
     WHERE id = $1`,
    [job.id, final ? 'failed' : 'pending', error.slice(0, 2000), delay],
  );
  return final ? 'failed' : 'retry';
}
