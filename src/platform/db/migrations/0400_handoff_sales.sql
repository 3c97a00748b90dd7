-- Sales handoff: who owns which MQL, the SLA clock of every handoff, and the reps' round-robin state.

-- Per sales user: round-robin weight, availability and out-of-office dates. `assigned_count`
-- is the round-robin state (lowest count/weight wins); rows are locked FOR UPDATE while picking.
CREATE TABLE handoff_reps (
  workspace_id integer NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  weight integer NOT NULL DEFAULT 1 CHECK (weight BETWEEN 0 AND 100),
  available boolean NOT NULL DEFAULT true,
  out_of_office_from date,
  out_of_office_to date,
  assigned_count bigint NOT NULL DEFAULT 0,
  last_assigned_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id)
);

-- Every assignment of an owner to a person: which rule picked whom, why, and what caused it.
CREATE TABLE handoff_assignments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  previous_owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  rule_kind text NOT NULL,
  rule_id text,
  rule_name text,
  trigger text NOT NULL CHECK (trigger IN ('mql', 'manual', 'bulk', 'sgl')),
  -- The stage_changed event that caused an automatic assignment: a retried job assigns once.
  source_event_id bigint,
  actor_type text NOT NULL,
  actor_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handoff_assignments_person_idx ON handoff_assignments (person_id, at DESC);
CREATE INDEX handoff_assignments_ws_at_idx ON handoff_assignments (workspace_id, at DESC);
CREATE UNIQUE INDEX handoff_assignments_event_uq ON handoff_assignments (workspace_id, source_event_id) WHERE source_event_id IS NOT NULL;

-- One row per time a person waited for sales: opened when it became MQL, closed by accept,
-- reject or any other move out of MQL. At most one open row per person.
CREATE TABLE handoffs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'awaiting' CHECK (status IN ('awaiting', 'accepted', 'rejected', 'closed')),
  mql_at timestamptz NOT NULL,
  due_at timestamptz,
  breached_at timestamptz,
  escalated_at timestamptz,
  decided_at timestamptz,
  decided_by text,
  reason_code text,
  reason text,
  note text,
  outcome_stage text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX handoffs_open_uq ON handoffs (person_id) WHERE status = 'awaiting';
-- The inbox and the summary: awaiting handoffs, oldest first, optionally per owner.
CREATE INDEX handoffs_awaiting_idx ON handoffs (workspace_id, mql_at, id) WHERE status = 'awaiting';
CREATE INDEX handoffs_awaiting_owner_idx ON handoffs (workspace_id, owner_id, mql_at, id) WHERE status = 'awaiting';
-- The SLA job: awaiting handoffs past due that are not yet marked breached.
CREATE INDEX handoffs_due_idx ON handoffs (due_at) WHERE status = 'awaiting' AND breached_at IS NULL;
CREATE INDEX handoffs_person_idx ON handoffs (person_id, id DESC);
CREATE INDEX handoffs_ws_decided_idx ON handoffs (workspace_id, decided_at) WHERE decided_at IS NOT NULL;
