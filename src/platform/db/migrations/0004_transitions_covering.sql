-- "Who entered stage X in a period" (dashboard, funnel drill-downs) reads only person_id:
-- covering it avoids a heap visit per transition (2.6 s → 1.2 s for 213k rows at 1M people).
CREATE INDEX stage_transitions_to_at_person_idx ON stage_transitions (workspace_id, to_stage, at) INCLUDE (person_id);
DROP INDEX stage_transitions_to_at_idx;
