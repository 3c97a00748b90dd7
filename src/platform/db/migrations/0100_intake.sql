-- Capture intake: forms and their submissions, and the tracker's visitor → person links.

CREATE TABLE forms (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  description text,
  -- [{key, label, type, required, options?, placeholder?}] in display order.
  fields jsonb NOT NULL DEFAULT '[]',
  campaign_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
  channel text,
  consent_text text,
  consent_required boolean NOT NULL DEFAULT false,
  submit_label text,
  thank_you_message text,
  redirect_url text,
  min_fill_seconds integer NOT NULL DEFAULT 3 CHECK (min_fill_seconds BETWEEN 0 AND 600),
  spam_blocked integer NOT NULL DEFAULT 0,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX forms_name_uq ON forms (workspace_id, name) WHERE archived_at IS NULL;
CREATE INDEX forms_ws_created_idx ON forms (workspace_id, created_at DESC, id DESC);

-- What was submitted, as submitted: the consent text the visitor saw is kept with their answer.
CREATE TABLE form_submissions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id integer NOT NULL,
  form_id uuid NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  answers jsonb NOT NULL DEFAULT '{}',
  consent boolean NOT NULL DEFAULT false,
  consent_text text,
  page_url text,
  referrer text,
  utm jsonb NOT NULL DEFAULT '{}',
  visitor_id text,
  locale text,
  -- From the signed fill-time token: a double click or a retried post is one submission.
  nonce text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (form_id, nonce)
);
CREATE INDEX form_submissions_form_idx ON form_submissions (form_id, created_at DESC, id DESC);
CREATE INDEX form_submissions_person_idx ON form_submissions (person_id);

-- An anonymous tracker visitor, once identified (form submission, signed e-mail link).
CREATE TABLE tracker_visitors (
  workspace_id integer NOT NULL,
  visitor_id text NOT NULL,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  identified_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, visitor_id)
);
CREATE INDEX tracker_visitors_person_idx ON tracker_visitors (person_id);

-- The collect endpoint's per-visitor rate limit counts a visitor's recent events.
CREATE INDEX activities_visitor_time_idx ON activities (visitor_id, occurred_at) WHERE visitor_id IS NOT NULL;
