-- A full rescore of 1M people updates every person's score columns in one statement. Measured at
-- scale 10 (1.2M people, shared_buffers 128 MB): 59 s, with 9.1M WAL records (2.7 GB) and 1.5M
-- buffers written back — nearly every update was a new tuple on another page (77,000 of 1.8M
-- updates were HOT), so each one also wrote an entry into all nine indexes of people.
--
-- Score columns are in no index: with free room on the page the update is HOT and touches no
-- index. Pages of people and person_scores are now filled to 85 % on insert, leaving room for the
-- next version of a row or two; autovacuum (0507) frees the old ones. Existing pages keep their
-- fill until rewritten (VACUUM FULL), new ones take it at once.
ALTER TABLE people SET (fillfactor = 85);
ALTER TABLE person_scores SET (fillfactor = 85);

-- people_stage_aging_idx (workspace_id, stage) INCLUDE (stage_changed_at) serves every query the
-- older people_stage_idx (workspace_id, stage) served: one index fewer to write per new row version.
DROP INDEX people_stage_idx;

-- person_scores_ws_version_idx is read by no query, and every rescore changes the version of every
-- row: with it, no update of person_scores could be HOT (0 of 1.2M in the measured rescore).
DROP INDEX person_scores_ws_version_idx;
