-- Lead aging (GET /api/v1/funnel/aging): how long the open leads have sat in MQL, SAL, SGL and
-- SQL. At 1M people it read the whole table (615 ms of 782 ms); this makes it an index-only
-- read of the open stages (measured on the scale-10 bench database: 918 → 180 ms).
CREATE INDEX people_stage_aging_idx ON people (workspace_id, stage) INCLUDE (stage_changed_at);
