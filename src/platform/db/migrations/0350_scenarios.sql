-- Nurture scenarios: the scenario (trigger, steps, goal, re-entry), each person's enrolments,
-- and the history of every step taken. The step history doubles as the idempotency record:
-- a step run is inserted in the same transaction as its side effect (the mail it queues), and
-- (enrolment_id, seq) is unique, so a job that runs twice can never act twice.

CREATE TABLE scenarios (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  description text,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'archived')),
  trigger jsonb NOT NULL,
  steps jsonb NOT NULL,
  goal jsonb,
  reentry text NOT NULL DEFAULT 'never' CHECK (reentry IN ('never', 'after_exit')),
  reentry_days integer NOT NULL DEFAULT 0 CHECK (reentry_days >= 0),
  time_zone text NOT NULL DEFAULT 'Asia/Tokyo',
  quiet_hours jsonb,
  webhook_secret text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz
);
CREATE INDEX scenarios_ws_idx ON scenarios (workspace_id, created_at DESC);
-- The trigger handler looks up the active scenarios for an event type on every domain event.
CREATE INDEX scenarios_active_trigger_idx ON scenarios (workspace_id, (trigger->>'type')) WHERE status = 'active';

-- One person's pass through a scenario. `occurrence` counts passes (re-entry); at most one is
-- active at a time. `next_step`/`next_seq` name the one step job that may run next.
CREATE TABLE scenario_enrolments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  scenario_id uuid NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  occurrence integer NOT NULL DEFAULT 1,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'goal', 'exited', 'failed')),
  current_step text,
  next_step text,
  next_seq integer NOT NULL DEFAULT 1,
  next_run_at timestamptz,
  source text NOT NULL DEFAULT 'trigger',
  trigger_event_id bigint,
  exit_reason text,
  entered_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (scenario_id, person_id, occurrence)
);
CREATE UNIQUE INDEX scenario_enrolments_one_active_uq ON scenario_enrolments (scenario_id, person_id) WHERE status = 'active';
CREATE INDEX scenario_enrolments_person_idx ON scenario_enrolments (person_id, entered_at DESC);
-- People at each step of a scenario (the flow view).
CREATE INDEX scenario_enrolments_step_idx ON scenario_enrolments (scenario_id, status, current_step);

-- Every step taken: the per-person history and the idempotency record.
CREATE TABLE scenario_step_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  enrolment_id bigint NOT NULL REFERENCES scenario_enrolments(id) ON DELETE CASCADE,
  scenario_id uuid NOT NULL,
  person_id uuid NOT NULL,
  seq integer NOT NULL,
  step_id text NOT NULL,
  step_type text NOT NULL,
  outcome text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (enrolment_id, seq)
);
CREATE INDEX scenario_step_runs_scenario_step_idx ON scenario_step_runs (scenario_id, step_id);
CREATE INDEX scenario_step_runs_person_idx ON scenario_step_runs (person_id, at DESC);

-- Who was in a segment-triggered scenario's segment at the last evaluation: "entered" is
-- matching now and not in this snapshot.
CREATE TABLE scenario_segment_members (
  scenario_id uuid NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  workspace_id integer NOT NULL,
  since timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scenario_id, person_id)
);
