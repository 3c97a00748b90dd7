-- Every message handed to the mailer. With SMTP_URL unset it stays here as the outbox the UI
-- shows; with SMTP it is the delivery log. `idempotency_key` is unique: a message is recorded
-- before it is sent, in the caller's transaction, so a crash can never send it twice.
CREATE TABLE mail_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL,
  idempotency_key text NOT NULL,
  person_id uuid REFERENCES people(id) ON DELETE CASCADE,
  kind text NOT NULL DEFAULT 'marketing' CHECK (kind IN ('marketing', 'transactional', 'notification', 'test')),
  to_address text NOT NULL,
  from_address text NOT NULL,
  subject text NOT NULL,
  html text,
  text text,
  headers jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'outbox', 'failed', 'suppressed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  smtp_message_id text,
  meta jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE UNIQUE INDEX mail_messages_key_uq ON mail_messages (workspace_id, idempotency_key);
CREATE INDEX mail_messages_ws_created_idx ON mail_messages (workspace_id, created_at DESC);
CREATE INDEX mail_messages_person_idx ON mail_messages (person_id, created_at DESC);
