-- "Is this person in an active pass?" is asked for every domain event that could end a pass
-- (src/platform/events.ts). Without this index the planner used scenario_enrolments_one_active_uq
-- (scenario_id, person_id) and read all of it per event: after a 100,000-person send had
-- completed, its dead entries made a rescore of 1M people spend minutes on that one check.
CREATE INDEX scenario_enrolments_active_person_idx ON scenario_enrolments (person_id) WHERE status = 'active';
