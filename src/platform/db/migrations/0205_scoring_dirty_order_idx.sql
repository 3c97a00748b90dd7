-- The live-scoring drain takes the oldest marks first (ORDER BY marked_at LIMIT 5000 FOR UPDATE
-- SKIP LOCKED). Without an index every drain sorted a sequential scan of the table, which a
-- steady ingest keeps full of dead rows: 100–130 ms per drain at bench scale 1 to find a few
-- thousand live marks (auto_explain), with several drains per second while activities arrive.
CREATE INDEX scoring_dirty_marked_idx ON scoring_dirty (marked_at);
