-- Cohorts, kept: one row per person who has been an Inquiry — when they first became one, when
-- they first reached MQL, SQL and Won at or after that, and their current stage. The cohort
-- report reads one index range of this narrow table; at 1M people it grouped every Inquiry entry
-- of funnel_entries by person per request (3.4 s).
--
-- Kept by statement triggers on funnel_entries (new entries, and the delete-and-insert by which
-- merges and edits of the transition log rebuild a person's entries) and by a row trigger on a
-- person's stage. Deleting a person cascades.
CREATE TABLE funnel_people (
  person_id uuid PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
  workspace_id integer NOT NULL,
  inquiry_at timestamptz NOT NULL,
  mql_at timestamptz,
  sql_at timestamptz,
  won_at timestamptz,
  stage text NOT NULL
);
CREATE INDEX funnel_people_cohort_idx ON funnel_people (workspace_id, inquiry_at)
  INCLUDE (stage, mql_at, sql_at, won_at);

-- Recomputes the rows of some people from their funnel entries.
CREATE FUNCTION analytics_refresh_cohorts(ids uuid[], removed boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO funnel_people AS fp (person_id, workspace_id, inquiry_at, mql_at, sql_at, won_at, stage)
  SELECT i.person_id, i.workspace_id, i.at,
         min(f.entered_at) FILTER (WHERE f.stage = 'mql'),
         min(f.entered_at) FILTER (WHERE f.stage = 'sql'),
         min(f.entered_at) FILTER (WHERE f.stage = 'won'),
         p.stage
  FROM (
    SELECT f.person_id, min(f.workspace_id) AS workspace_id, min(f.entered_at) AS at
    FROM funnel_entries f JOIN unnest(ids) AS x(person_id) ON x.person_id = f.person_id
    WHERE f.stage = 'inquiry' GROUP BY f.person_id
  ) i
  JOIN people p ON p.id = i.person_id
  LEFT JOIN funnel_entries f ON f.person_id = i.person_id AND f.stage IN ('mql', 'sql', 'won') AND f.entered_at >= i.at
  GROUP BY i.person_id, i.workspace_id, i.at, p.stage
  ON CONFLICT (person_id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id, inquiry_at = EXCLUDED.inquiry_at,
    mql_at = EXCLUDED.mql_at, sql_at = EXCLUDED.sql_at, won_at = EXCLUDED.won_at, stage = EXCLUDED.stage
  WHERE (fp.workspace_id, fp.inquiry_at, fp.mql_at, fp.sql_at, fp.won_at, fp.stage)
    IS DISTINCT FROM (EXCLUDED.workspace_id, EXCLUDED.inquiry_at, EXCLUDED.mql_at, EXCLUDED.sql_at, EXCLUDED.won_at, EXCLUDED.stage);
  -- People left without any Inquiry entry (their history was deleted or moved by a merge).
  IF NOT removed THEN RETURN; END IF;
  DELETE FROM funnel_people fp
  WHERE fp.person_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM funnel_entries f WHERE f.person_id = fp.person_id AND f.stage = 'inquiry');
END
$$;

CREATE FUNCTION analytics_track_cohorts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM analytics_refresh_cohorts(ARRAY(SELECT DISTINCT person_id FROM new_entries), false);
  ELSE
    PERFORM analytics_refresh_cohorts(ARRAY(SELECT DISTINCT person_id FROM old_entries), true);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER funnel_entries_cohort_insert AFTER INSERT ON funnel_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_track_cohorts();
CREATE TRIGGER funnel_entries_cohort_delete AFTER DELETE ON funnel_entries
  REFERENCING OLD TABLE AS old_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_track_cohorts();

-- The current stage follows the person's.
CREATE FUNCTION analytics_track_cohort_stage() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE funnel_people SET stage = NEW.stage WHERE person_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER people_cohort_stage AFTER UPDATE OF stage ON people
  FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage)
  EXECUTE FUNCTION analytics_track_cohort_stage();

-- The history that existed before this migration.
INSERT INTO funnel_people (person_id, workspace_id, inquiry_at, mql_at, sql_at, won_at, stage)
SELECT i.person_id, i.workspace_id, i.at,
       min(f.entered_at) FILTER (WHERE f.stage = 'mql'),
       min(f.entered_at) FILTER (WHERE f.stage = 'sql'),
       min(f.entered_at) FILTER (WHERE f.stage = 'won'),
       p.stage
FROM (
  SELECT person_id, min(workspace_id) AS workspace_id, min(entered_at) AS at
  FROM funnel_entries WHERE stage = 'inquiry' GROUP BY person_id
) i
JOIN people p ON p.id = i.person_id
LEFT JOIN funnel_entries f ON f.person_id = i.person_id AND f.stage IN ('mql', 'sql', 'won') AND f.entered_at >= i.at
GROUP BY i.person_id, i.workspace_id, i.at, p.stage;
ANALYZE funnel_people;
