-- Segments: saved filters (dynamic) and hand-kept lists (static), in the nurture range.

CREATE TABLE segments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  description text,
  kind text NOT NULL CHECK (kind IN ('dynamic', 'static')),
  -- The filter of a dynamic segment (the filter language of src/nurture/segments/filter.ts).
  filter jsonb,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'dynamic') = (filter IS NOT NULL))
);
CREATE UNIQUE INDEX segments_name_uq ON segments (workspace_id, lower(name));
CREATE INDEX segments_ws_created_idx ON segments (workspace_id, created_at DESC, id DESC);

-- Members of static lists.
CREATE TABLE segment_members (
  workspace_id integer NOT NULL,
  segment_id uuid NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL DEFAULT now(),
  added_by text,
  PRIMARY KEY (segment_id, person_id)
);
CREATE INDEX segment_members_person_idx ON segment_members (person_id);

-- Activity-history conditions over all people ("viewed /pricing twice in 30 days") read the
-- activities of one type in a time range and need only person_id: an index-only scan.
CREATE INDEX activities_ws_type_time_idx ON activities (workspace_id, type, occurred_at) INCLUDE (person_id);
