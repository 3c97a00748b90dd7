-- Workers claim due jobs queue by queue (round robin), so a backlog in one queue (say, a
-- burst of webhook fan-outs after a rescore) never starves another (live scoring, mail).
CREATE INDEX jobs_queue_due_idx ON jobs (queue, run_at, id) WHERE status = 'pending';
