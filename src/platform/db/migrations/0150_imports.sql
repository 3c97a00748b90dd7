-- CSV imports: one row per import (CLI, API or wizard) with its progress and counts, the
-- uploaded file in chunks (so that any worker can run the import job), and the row issues.

CREATE TABLE imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  file_name text NOT NULL,
  file_size bigint NOT NULL DEFAULT 0,
  file_hash text,
  encoding text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  dry_run boolean NOT NULL DEFAULT false,
  options jsonb NOT NULL DEFAULT '{}',
  headers jsonb,
  mapping jsonb,
  campaign_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
  rows_processed bigint NOT NULL DEFAULT 0,
  bytes_processed bigint NOT NULL DEFAULT 0,
  counts jsonb NOT NULL DEFAULT '{}',
  error text,
  actor_type text NOT NULL,
  actor_id text,
  actor_label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX imports_ws_created_idx ON imports (workspace_id, created_at DESC, id DESC);
CREATE INDEX imports_ws_hash_idx ON imports (workspace_id, file_hash);

CREATE TABLE import_chunks (
  import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (import_id, seq)
);

CREATE TABLE import_row_issues (
  import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  row_number bigint NOT NULL,
  seq smallint NOT NULL,
  level text NOT NULL CHECK (level IN ('error', 'warning')),
  column_name text NOT NULL DEFAULT '',
  message text NOT NULL,
  value text,
  PRIMARY KEY (import_id, row_number, seq)
);
