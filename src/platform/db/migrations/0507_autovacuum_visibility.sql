-- Segments, aging and the funnel's side queries read people and funnel_entries index-only, which
-- needs their pages marked all-visible; only (auto)vacuum marks them. At the default scale factor
-- (20 % of the table changed) a table of 1M people is vacuumed after 200,000 changed rows, and
-- between two vacuums of a table that scoring updates all day the reads fall back to the heap:
-- measured at 1M people after the bench, stage aging took 1,264 ms and the bench segment 641 ms,
-- and 221 ms and 290 ms right after a VACUUM (9.8 s). Vacuum these tables after 2 % instead.
ALTER TABLE people SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,
  autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE activities SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE funnel_entries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
