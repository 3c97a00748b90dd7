-- When a segment-triggered scenario's segment was last evaluated: before the first evaluation,
-- a trigger with includeExisting = false only takes the snapshot (enrols nobody).
ALTER TABLE scenarios ADD COLUMN segment_evaluated_at timestamptz;
