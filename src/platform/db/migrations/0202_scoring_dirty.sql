-- Live scoring, coalesced: whoever records activity marks the person here (one row per person,
-- however many activities), and one `scoring.refresh` job drains the marks in batches. A mail
-- scenario sending 10,000 messages used to queue 10,000 one-person scoring jobs.
CREATE TABLE scoring_dirty (
  person_id uuid PRIMARY KEY,
  workspace_id integer NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT now()
);
