-- Analytics: the funnel entry log (one row per entry of a person into a waterfall stage, kept
-- correct by triggers on stage_transitions and people), KPI targets, and the indexes campaign
-- attribution reads.

-- The stages a person reaches "next" from a waterfall stage. MQL counts as converted when sales
-- accepts it (SAL) or qualifies it directly (SQL). SGL is sales' own entry into SQL.
CREATE FUNCTION analytics_next_stages(stage text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE stage
    WHEN 'inquiry' THEN ARRAY['mql']
    WHEN 'mql' THEN ARRAY['sal', 'sql']
    WHEN 'sal' THEN ARRAY['sql']
    WHEN 'sgl' THEN ARRAY['sql']
    WHEN 'sql' THEN ARRAY['won']
    ELSE ARRAY[]::text[]
  END
$$;

-- One row per transition into inquiry, mql, sal, sgl, sql or won. `next_at` is the first later
-- transition (ordered by at, then id) into one of the stage's next stages, null while none.
-- The person's breakdown attributes are copied here (and kept in step by a trigger on people)
-- so the funnel reads one narrow table in one index range.
CREATE TABLE funnel_entries (
  transition_id bigint PRIMARY KEY,
  workspace_id integer NOT NULL,
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  stage text NOT NULL,
  from_stage text,
  entered_at timestamptz NOT NULL,
  next_at timestamptz,
  next_transition_id bigint,
  next_stage text,
  channel text,
  source text,
  owner_id uuid,
  industry text,
  employee_count integer,
  prefecture text
);
-- The funnel for a period: one range scan, covering the totals and the channel breakdown.
CREATE INDEX funnel_entries_period_idx ON funnel_entries (workspace_id, entered_at)
  INCLUDE (stage, next_at, channel);
CREATE INDEX funnel_entries_stage_idx ON funnel_entries (workspace_id, stage, entered_at);
CREATE INDEX funnel_entries_person_idx ON funnel_entries (person_id);

-- Recomputes the entries of some people from the whole transition log (used after updates
-- and deletes of transitions, e.g. a merge that moves a person's history).
CREATE FUNCTION analytics_rebuild_entries(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM funnel_entries WHERE person_id = ANY(ids);
  INSERT INTO funnel_entries (transition_id, workspace_id, person_id, stage, from_stage, entered_at,
    next_at, next_transition_id, next_stage, channel, source, owner_id, industry, employee_count, prefecture)
  SELECT t.id, t.workspace_id, t.person_id, t.to_stage, t.from_stage, t.at, nx.at, nx.id, nx.to_stage,
         p.channel, p.source, p.owner_id, p.industry, p.employee_count, p.prefecture
  FROM stage_transitions t
  JOIN people p ON p.id = t.person_id
  LEFT JOIN LATERAL (
    SELECT x.id, x.at, x.to_stage FROM stage_transitions x
    WHERE x.person_id = t.person_id AND x.to_stage = ANY(analytics_next_stages(t.to_stage))
      AND (x.at, x.id) > (t.at, t.id)
    ORDER BY x.at, x.id LIMIT 1
  ) nx ON true
  WHERE t.person_id = ANY(ids) AND t.to_stage IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won');
END
$$;

-- Set-based maintenance for any INSERT into stage_transitions (one row or a million):
-- first the open entries the new rows complete (or complete earlier, for back-filled history),
-- then the new entries, whose next stage is looked up in the whole log.
CREATE FUNCTION analytics_track_transitions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE funnel_entries e SET next_at = x.at, next_transition_id = x.id, next_stage = x.to_stage
  FROM (
    SELECT DISTINCT ON (f.transition_id) f.transition_id, n.id, n.at, n.to_stage
    FROM new_transitions n
    JOIN funnel_entries f ON f.person_id = n.person_id
    WHERE n.to_stage = ANY(analytics_next_stages(f.stage))
      AND (n.at, n.id) > (f.entered_at, f.transition_id)
      AND (f.next_at IS NULL OR (n.at, n.id) < (f.next_at, f.next_transition_id))
    ORDER BY f.transition_id, n.at, n.id
  ) x
  WHERE e.transition_id = x.transition_id;

  INSERT INTO funnel_entries (transition_id, workspace_id, person_id, stage, from_stage, entered_at,
    next_at, next_transition_id, next_stage, channel, source, owner_id, industry, employee_count, prefecture)
  SELECT n.id, n.workspace_id, n.person_id, n.to_stage, n.from_stage, n.at, nx.at, nx.id, nx.to_stage,
         p.channel, p.source, p.owner_id, p.industry, p.employee_count, p.prefecture
  FROM new_transitions n
  JOIN people p ON p.id = n.person_id
  LEFT JOIN LATERAL (
    SELECT x.id, x.at, x.to_stage FROM stage_transitions x
    WHERE x.person_id = n.person_id AND x.to_stage = ANY(analytics_next_stages(n.to_stage))
      AND (x.at, x.id) > (n.at, n.id)
    ORDER BY x.at, x.id LIMIT 1
  ) nx ON true
  WHERE n.to_stage IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won');
  RETURN NULL;
END
$$;

CREATE TRIGGER stage_transitions_funnel_insert AFTER INSERT ON stage_transitions
  REFERENCING NEW TABLE AS new_transitions
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_track_transitions();

CREATE FUNCTION analytics_retrack_transitions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM analytics_rebuild_entries(ARRAY(
      SELECT person_id FROM old_transitions UNION SELECT person_id FROM new_transitions));
  ELSE
    PERFORM analytics_rebuild_entries(ARRAY(SELECT DISTINCT person_id FROM old_transitions));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER stage_transitions_funnel_update AFTER UPDATE ON stage_transitions
  REFERENCING OLD TABLE AS old_transitions NEW TABLE AS new_transitions
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_retrack_transitions();
CREATE TRIGGER stage_transitions_funnel_delete AFTER DELETE ON stage_transitions
  REFERENCING OLD TABLE AS old_transitions
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_retrack_transitions();

-- Breakdowns read the person's current attributes: copy a change to their entries.
CREATE FUNCTION analytics_sync_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE funnel_entries SET channel = NEW.channel, source = NEW.source, owner_id = NEW.owner_id,
    industry = NEW.industry, employee_count = NEW.employee_count, prefecture = NEW.prefecture
  WHERE person_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER people_funnel_attributes
  AFTER UPDATE OF channel, source, owner_id, industry, employee_count, prefecture ON people
  FOR EACH ROW
  WHEN (OLD.channel IS DISTINCT FROM NEW.channel OR OLD.source IS DISTINCT FROM NEW.source
     OR OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.industry IS DISTINCT FROM NEW.industry
     OR OLD.employee_count IS DISTINCT FROM NEW.employee_count OR OLD.prefecture IS DISTINCT FROM NEW.prefecture)
  EXECUTE FUNCTION analytics_sync_person();

-- History that existed before this migration.
SELECT analytics_rebuild_entries(ARRAY(SELECT DISTINCT person_id FROM stage_transitions));

-- KPI targets: one value per period (a month or a quarter, by its first day) and metric
-- (entries into a stage, or won revenue in yen).
CREATE TABLE kpi_targets (
  workspace_id integer NOT NULL REFERENCES workspaces(id),
  period_type text NOT NULL CHECK (period_type IN ('month', 'quarter')),
  period_start date NOT NULL,
  metric text NOT NULL CHECK (metric IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'revenue')),
  value bigint NOT NULL CHECK (value >= 0),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, period_type, period_start, metric)
);

-- Attribution: a person's campaign touches through activities, and campaign member lists.
CREATE INDEX activities_campaign_person_idx ON activities (campaign_id, person_id, occurred_at)
  WHERE campaign_id IS NOT NULL;
CREATE INDEX campaign_members_campaign_status_idx ON campaign_members (campaign_id, status, joined_at);
CREATE INDEX opportunities_ws_created_at_idx ON opportunities (workspace_id, created_at);
