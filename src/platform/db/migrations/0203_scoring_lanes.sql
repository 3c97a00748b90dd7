-- A full rescore stages people in lanes — ranges of ids — side by side, one connection each, so
-- the server's cores score them in parallel (one INSERT … SELECT runs on one core). Each lane's
-- cursor advances in the transaction that stages its chunk, so a crash resumes every lane where
-- it stopped. At 1M people one lane took 93–105 s per rescore on a 2-core server.
CREATE TABLE scoring_run_lanes (
  run_id bigint NOT NULL REFERENCES scoring_runs(id) ON DELETE CASCADE,
  workspace_id integer NOT NULL,
  lane integer NOT NULL,
  -- The lane's ids: lo ≤ id < hi (no upper bound when hi is null).
  lo uuid NOT NULL,
  hi uuid,
  -- The last id staged; null before the first chunk.
  cursor uuid,
  done boolean NOT NULL DEFAULT false,
  PRIMARY KEY (run_id, lane)
);
