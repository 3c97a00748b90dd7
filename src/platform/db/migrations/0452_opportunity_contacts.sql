-- The other people on an opportunity (the buying committee) besides its lead: they move to SQL,
-- Won or Lost with the deal too.
CREATE TABLE opportunity_contacts (
  workspace_id integer NOT NULL,
  opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (opportunity_id, person_id)
);
CREATE INDEX opportunity_contacts_person_idx ON opportunity_contacts (person_id);
