-- Pipeline (handoff): sales stages on opportunities, outbound webhook subscriptions with their
-- delivery log, and the record of SFA outcome imports.

ALTER TABLE opportunities ADD COLUMN description text;
ALTER TABLE opportunities ADD COLUMN source text NOT NULL DEFAULT 'manual';
-- `stage` is the sales stage of an open deal (qualification → proposal → quote → negotiation).
UPDATE opportunities SET stage = 'qualification'
 WHERE stage NOT IN ('qualification', 'proposal', 'quote', 'negotiation');
ALTER TABLE opportunities ADD CONSTRAINT opportunities_stage_chk
  CHECK (stage IN ('qualification', 'proposal', 'quote', 'negotiation'));
-- The pipeline board and list: newest first per workspace, open deals by sales stage and owner.
CREATE INDEX opportunities_ws_created_idx ON opportunities (workspace_id, created_at DESC, id DESC);
CREATE INDEX opportunities_ws_open_stage_idx ON opportunities (workspace_id, stage, owner_id) WHERE status = 'open';
CREATE INDEX opportunities_account_idx ON opportunities (account_id);

CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  url text NOT NULL,
  -- Event types, or '*' for every event.
  events text[] NOT NULL,
  -- Needed in clear to sign each delivery; returned by the API only when created or rotated.
  secret text NOT NULL,
  description text,
  enabled boolean NOT NULL DEFAULT true,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_ws_idx ON webhook_subscriptions (workspace_id, created_at);

-- One row per event per subscription (plus replays). `pending` rows of one subscription and
-- person are delivered in event order: a later one waits until the earlier ones are done.
CREATE TABLE webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  event_id bigint NOT NULL,
  event_type text NOT NULL,
  person_id uuid,
  replay_of bigint REFERENCES webhook_deliveries(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  -- A worker holds the delivery while its request is in flight, so two workers never send it twice.
  locked_until timestamptz,
  last_status_code integer,
  last_error text,
  last_duration_ms integer,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_deliveries_event_uq ON webhook_deliveries (subscription_id, event_id) WHERE replay_of IS NULL;
-- The ordering check: earlier pending deliveries of the same subscription and person.
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (subscription_id, person_id, event_id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (subscription_id, id DESC);

CREATE TABLE webhook_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  delivery_id bigint NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  status_code integer,
  duration_ms integer NOT NULL,
  error text,
  response_excerpt text
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempt);

CREATE TABLE outcome_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  source text NOT NULL CHECK (source IN ('csv', 'api')),
  filename text,
  created_by text,
  total integer NOT NULL,
  updated integer NOT NULL,
  created integer NOT NULL,
  unchanged integer NOT NULL,
  -- [{row, reason, email?, externalId?}]: rows that matched nothing or could not be applied.
  problems jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outcome_imports_ws_idx ON outcome_imports (workspace_id, created_at DESC);
