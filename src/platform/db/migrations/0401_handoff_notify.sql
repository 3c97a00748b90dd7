-- The owner is told about an assignment (person.assigned event, mail) by a job; notified_at
-- makes that job act once even when it runs again.
ALTER TABLE handoff_assignments ADD COLUMN notified_at timestamptz;
