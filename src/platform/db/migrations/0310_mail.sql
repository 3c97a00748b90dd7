-- E-mail templates, the suppression list, tracking and delivery state (nurture range).

CREATE TABLE email_templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  kind text NOT NULL DEFAULT 'marketing' CHECK (kind IN ('marketing', 'transactional')),
  subject text NOT NULL,
  preheader text,
  html text NOT NULL,
  -- NULL: the text part is generated from the HTML.
  text text,
  locale text NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja', 'en')),
  version integer NOT NULL DEFAULT 1,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX email_templates_name_uq ON email_templates (workspace_id, lower(name));
CREATE INDEX email_templates_ws_created_idx ON email_templates (workspace_id, created_at DESC, id DESC);

-- Addresses that must never receive marketing mail again (bounces, complaints, by hand).
CREATE TABLE mail_suppressions (
  workspace_id integer NOT NULL,
  email text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('bounced', 'complained', 'unsubscribed', 'manual')),
  detail text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, email)
);

-- Delivery lease: a worker sets sending_until before talking to SMTP, so a second worker
-- never sends the same message at once; opens and clicks are counted per message.
ALTER TABLE mail_messages ADD COLUMN sending_until timestamptz;
ALTER TABLE mail_messages ADD COLUMN template_id uuid;
ALTER TABLE mail_messages ADD COLUMN opened_at timestamptz;
ALTER TABLE mail_messages ADD COLUMN clicked_at timestamptz;
ALTER TABLE mail_messages ADD COLUMN open_count integer NOT NULL DEFAULT 0;
ALTER TABLE mail_messages ADD COLUMN click_count integer NOT NULL DEFAULT 0;
ALTER TABLE mail_messages ADD COLUMN bounced_at timestamptz;
CREATE INDEX mail_messages_template_idx ON mail_messages (template_id, created_at) WHERE template_id IS NOT NULL;
CREATE INDEX mail_messages_ws_status_idx ON mail_messages (workspace_id, status, created_at DESC);

-- The SMTP rate limit shared by every worker: messages handed to SMTP per second.
CREATE TABLE mail_rate_slots (
  second timestamptz PRIMARY KEY,
  sent integer NOT NULL
);
