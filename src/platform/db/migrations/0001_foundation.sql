-- Foundation: workspaces, team, people, accounts, the activity log, stage transitions,
-- campaigns, opportunities, audit log, idempotency keys and the job queue.
-- Every table carries workspace_id: the tenant key today, the Citus distribution column later.

CREATE TABLE workspaces (
  id integer PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO workspaces (id, name) VALUES (1, 'Default');

CREATE TABLE settings (
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  key text NOT NULL,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, key)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  email text NOT NULL,
  name text NOT NULL DEFAULT '',
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'marketing', 'sales', 'viewer')),
  active boolean NOT NULL DEFAULT true,
  manager_id uuid REFERENCES users(id),
  locale text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, email)
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'marketing', 'sales', 'viewer')),
  key_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE login_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  ip text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  success boolean NOT NULL
);
CREATE INDEX login_attempts_email_at_idx ON login_attempts (email, at);
CREATE INDEX login_attempts_ip_at_idx ON login_attempts (ip, at);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL,
  actor_id text,
  actor_label text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  changes jsonb,
  meta jsonb
);
CREATE INDEX audit_log_ws_id_idx ON audit_log (workspace_id, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (workspace_id, entity_type, entity_id);

CREATE TABLE idempotency_keys (
  workspace_id integer NOT NULL,
  actor text NOT NULL,
  key text NOT NULL,
  request text NOT NULL,
  status_code integer,
  response text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, actor, key)
);

CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  name_normalized text NOT NULL,
  domain text,
  industry text,
  employee_count integer,
  prefecture text,
  owner_id uuid REFERENCES users(id),
  custom_fields jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_domain_uq ON accounts (workspace_id, domain) WHERE domain IS NOT NULL;
CREATE INDEX accounts_name_idx ON accounts (workspace_id, name_normalized);

CREATE TABLE people (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  email text NOT NULL,
  last_name text,
  first_name text,
  last_name_kana text,
  first_name_kana text,
  company text,
  department text,
  title text,
  phone text,
  industry text,
  employee_count integer,
  prefecture text,
  country text,
  source text,
  channel text,
  stage text NOT NULL DEFAULT 'inquiry'
    CHECK (stage IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'lost', 'recycled', 'disqualified')),
  stage_changed_at timestamptz NOT NULL DEFAULT now(),
  owner_id uuid REFERENCES users(id),
  account_id uuid REFERENCES accounts(id),
  fit_grade text CHECK (fit_grade IN ('A', 'B', 'C', 'D')),
  fit_score integer NOT NULL DEFAULT 0,
  engagement_score integer NOT NULL DEFAULT 0,
  score_version integer,
  scored_at timestamptz,
  consent boolean NOT NULL DEFAULT false,
  consent_at timestamptz,
  unsubscribed_at timestamptz,
  bounced_at timestamptz,
  custom_fields jsonb NOT NULL DEFAULT '{}',
  search_text text GENERATED ALWAYS AS (
    lower(
      coalesce(last_name, '') || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '') ||
      coalesce(first_name, '') || ' ' || coalesce(last_name_kana, '') || ' ' || coalesce(first_name_kana, '') ||
      ' ' || coalesce(company, '') || ' ' || email
    )
  ) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_email_uq ON people (workspace_id, email);
-- Stable sort for the people list: newest first, id as tie-breaker.
CREATE INDEX people_created_idx ON people (workspace_id, created_at DESC, id DESC);
CREATE INDEX people_stage_idx ON people (workspace_id, stage);
CREATE INDEX people_owner_idx ON people (workspace_id, owner_id);
CREATE INDEX people_account_idx ON people (account_id);

-- The append-only activity log. Per-person timelines read (person_id, occurred_at);
-- time-range scans read (workspace_id, occurred_at).
CREATE TABLE activities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  person_id uuid REFERENCES people(id) ON DELETE CASCADE,
  visitor_id text,
  type text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  properties jsonb NOT NULL DEFAULT '{}',
  campaign_id uuid,
  client_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_person_time_idx ON activities (person_id, occurred_at DESC);
CREATE INDEX activities_ws_time_idx ON activities (workspace_id, occurred_at);
CREATE INDEX activities_visitor_idx ON activities (visitor_id) WHERE person_id IS NULL;
CREATE UNIQUE INDEX activities_client_id_uq ON activities (workspace_id, client_id) WHERE client_id IS NOT NULL;

-- Every stage change of every person: the source of truth for funnel analytics.
CREATE TABLE stage_transitions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  from_stage text,
  to_stage text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'rule', 'scenario', 'system', 'import')),
  actor_id text,
  reason text,
  meta jsonb
);
CREATE INDEX stage_transitions_person_idx ON stage_transitions (person_id, at);
CREATE INDEX stage_transitions_to_at_idx ON stage_transitions (workspace_id, to_stage, at);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  channel text NOT NULL,
  description text,
  starts_on date,
  ends_on date,
  cost bigint NOT NULL DEFAULT 0 CHECK (cost >= 0),
  currency text NOT NULL DEFAULT 'JPY',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);

CREATE TABLE campaign_members (
  workspace_id integer NOT NULL,
  campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'member'
    CHECK (status IN ('member', 'invited', 'registered', 'attended', 'no_show')),
  joined_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, person_id)
);
CREATE INDEX campaign_members_person_idx ON campaign_members (person_id);

CREATE TABLE opportunities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  person_id uuid REFERENCES people(id) ON DELETE SET NULL,
  account_id uuid REFERENCES accounts(id),
  owner_id uuid REFERENCES users(id),
  name text NOT NULL,
  amount bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
  currency text NOT NULL DEFAULT 'JPY',
  stage text NOT NULL DEFAULT 'qualification',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
  loss_reason text,
  expected_close_date date,
  closed_at timestamptz,
  external_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX opportunities_person_idx ON opportunities (person_id);
CREATE INDEX opportunities_ws_status_idx ON opportunities (workspace_id, status, closed_at);
CREATE UNIQUE INDEX opportunities_external_uq ON opportunities (workspace_id, external_id) WHERE external_id IS NOT NULL;

-- Durable jobs. A worker claims due jobs with FOR UPDATE SKIP LOCKED and a lease; a job whose
-- worker died becomes due again when its lease expires. `key` makes an enqueue idempotent.
CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  key text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  run_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 10,
  locked_until timestamptz,
  locked_by text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX jobs_key_uq ON jobs (key) WHERE key IS NOT NULL;
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'pending';

-- Domain events (outbox). Written in the same transaction as the change they describe;
-- each subscriber gets its own job per event, so one failing consumer never blocks another.
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  type text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  person_id uuid,
  data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_ws_id_idx ON events (workspace_id, id);
CREATE INDEX events_person_idx ON events (person_id, id);
