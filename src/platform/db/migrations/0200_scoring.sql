-- Scoring: versioned rule sets, each person's current explanation, score history, and
-- full rescoring runs that stage a version's scores before swapping them in at once.

-- Every saved rule set, forever: scores name the version they were computed with.
CREATE TABLE scoring_rule_sets (
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  version integer NOT NULL CHECK (version > 0),
  document jsonb NOT NULL,
  comment text,
  created_by text,
  created_by_label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, version)
);

-- The current score of each person with its contributions (the explanation); the totals are
-- mirrored on people (fit_score, fit_grade, engagement_score, score_version, scored_at).
CREATE TABLE person_scores (
  person_id uuid PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
  workspace_id integer NOT NULL,
  version integer NOT NULL,
  fit_score integer NOT NULL,
  fit_grade text NOT NULL CHECK (fit_grade IN ('A', 'B', 'C', 'D')),
  engagement_score integer NOT NULL,
  mql boolean NOT NULL,
  contributions jsonb NOT NULL,
  computed_at timestamptz NOT NULL
);
CREATE INDEX person_scores_ws_version_idx ON person_scores (workspace_id, version);

-- A row each time a person's score changed: the chart on the lead page.
CREATE TABLE score_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  version integer NOT NULL,
  fit_score integer NOT NULL,
  fit_grade text NOT NULL,
  engagement_score integer NOT NULL,
  cause text NOT NULL CHECK (cause IN ('live', 'rescore'))
);
CREATE INDEX score_history_person_idx ON score_history (person_id, at);

-- A full rescore of everyone with one version. Chunks of people are staged in
-- scoring_staged_scores with the cursor advanced in the same transaction, so a crashed run
-- resumes where it stopped; the swap into people happens in one transaction at the end.
CREATE TABLE scoring_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id integer NOT NULL,
  version integer NOT NULL,
  reason text NOT NULL CHECK (reason IN ('rules_changed', 'manual', 'daily')),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'swapping', 'done', 'failed', 'superseded')),
  as_of timestamptz NOT NULL,
  total integer,
  processed integer NOT NULL DEFAULT 0,
  cursor uuid,
  changed integer,
  promoted integer,
  reach jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  FOREIGN KEY (workspace_id, version) REFERENCES scoring_rule_sets (workspace_id, version)
);
CREATE INDEX scoring_runs_ws_idx ON scoring_runs (workspace_id, id DESC);

CREATE TABLE scoring_staged_scores (
  workspace_id integer NOT NULL,
  run_id bigint NOT NULL REFERENCES scoring_runs(id) ON DELETE CASCADE,
  person_id uuid NOT NULL,
  fit_score integer NOT NULL,
  fit_grade text NOT NULL,
  engagement_score integer NOT NULL,
  mql boolean NOT NULL,
  contributions jsonb NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (run_id, person_id)
);
