-- A full rescore keeps one cursor per lane (scoring_run_lanes, migration 0203); the run's own
-- cursor has not been read or written since.
ALTER TABLE scoring_runs DROP COLUMN cursor;
