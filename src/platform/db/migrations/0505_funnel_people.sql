-- Cohorts, kept: one row per person who has been an Inquiry — when they first became one, when
-- they first reached MQL, SQL and Won at or after that, and their current stage. The cohort
-- report reads one index range of this narrow table; at 1M people it grouped every Inquiry entry
-- of funnel_entries by person per request (3.4 s).
--
-- Kept by statement triggers on funnel_entries (new entries, and the delete-and-insert by which
-- merges and edits of the transition log rebuild a person's entries) and on stage_transitions (the
-- current stage). Deleting a person cascades.
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

-- The current stage follows the person's: every stage change records a transition, and this
-- runs once per statement after the funnel entries are written (triggers fire in name order).
CREATE FUNCTION analytics_track_cohort_stage() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE funnel_people fp SET stage = p.stage
  FROM people p
  WHERE p.id = fp.person_id AND fp.person_id IN (SELECT DISTINCT person_id FROM new_transitions) AND fp.stage <> p.stage;
  RETURN NULL;
END
$$;
CREATE TRIGGER stage_transitions_funnel_stage AFTER INSERT ON stage_transitions
  REFERENCING NEW TABLE AS new_transitions
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_track_cohort_stage();

-- The cohort report's rollup: per day (Asia/Tokyo) of first Inquiry, current stage and the months
-- MQL, SQL and Won were first reached (year × 12 + month − 1, in Asia/Tokyo; −1 while not), the
-- number of people. Kept by statement triggers on funnel_people, as funnel_daily is on
-- funnel_entries; the report sums a few thousand rows instead of reading every person.
CREATE FUNCTION analytics_month_index(at timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((extract(year FROM at AT TIME ZONE 'Asia/Tokyo') * 12 + extract(month FROM at AT TIME ZONE 'Asia/Tokyo') - 1)::int, -1)
$$;

CREATE TABLE funnel_cohort_daily (
  workspace_id integer NOT NULL,
  day date NOT NULL,
  stage text NOT NULL,
  mql_month integer NOT NULL,
  sql_month integer NOT NULL,
  won_month integer NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (workspace_id, day, stage, mql_month, sql_month, won_month)
);

CREATE FUNCTION analytics_rollup_cohorts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO funnel_cohort_daily AS d (workspace_id, day, stage, mql_month, sql_month, won_month, n)
    SELECT workspace_id, (inquiry_at AT TIME ZONE 'Asia/Tokyo')::date, stage, analytics_month_index(mql_at),
           analytics_month_index(sql_at), analytics_month_index(won_at), -count(*)
    FROM old_people GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, stage, mql_month, sql_month, won_month) DO UPDATE SET n = d.n + EXCLUDED.n;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO funnel_cohort_daily AS d (workspace_id, day, stage, mql_month, sql_month, won_month, n)
    SELECT workspace_id, (inquiry_at AT TIME ZONE 'Asia/Tokyo')::date, stage, analytics_month_index(mql_at),
           analytics_month_index(sql_at), analytics_month_index(won_at), count(*)
    FROM new_people GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, stage, mql_month, sql_month, won_month) DO UPDATE SET n = d.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER funnel_people_rollup_insert AFTER INSERT ON funnel_people
  REFERENCING NEW TABLE AS new_people
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_cohorts();
CREATE TRIGGER funnel_people_rollup_update AFTER UPDATE ON funnel_people
  REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_cohorts();
CREATE TRIGGER funnel_people_rollup_delete AFTER DELETE ON funnel_people
  REFERENCING OLD TABLE AS old_people
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_cohorts();

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
