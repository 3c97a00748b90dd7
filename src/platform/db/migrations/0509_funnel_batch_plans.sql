-- Imports at 1M people (scale 10, 20,000-row rounds of which half are new people), measured
-- with auto_explain: per round, the stage_transitions insert of the new Inquiries took 2.2 s, of
-- which 0.7 s was the search for entries the new transitions close (a hash join over all 1.78M
-- funnel entries, though an Inquiry closes none) and 0.9 s the cohort refresh (two hash joins
-- over funnel_entries for 10,000 people).
--
-- 1. analytics_track_transitions looks for entries to close only with transitions that can
--    close one (into MQL, SAL, SQL or Won).
-- 2. analytics_refresh_cohorts reads each person's entries through funnel_entries_person_idx
--    (LATERAL, so the plan stays per person however the planner costs the batch): 0.36 s for
--    10,000 people on a cold cache, against 0.9 s.

CREATE OR REPLACE FUNCTION analytics_track_transitions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Only a transition into MQL, SAL, SQL or Won closes an earlier entry (analytics_next_stages):
  -- a batch of new Inquiries (an import) skips the join with every entry.
  IF EXISTS (SELECT 1 FROM new_transitions WHERE to_stage IN ('mql', 'sal', 'sql', 'won')) THEN
  UPDATE funnel_entries e SET next_at = x.at, next_transition_id = x.id, next_stage = x.to_stage
  FROM (
    SELECT DISTINCT ON (f.transition_id) f.transition_id, n.id, n.at, n.to_stage
    FROM (SELECT * FROM new_transitions WHERE to_stage IN ('mql', 'sal', 'sql', 'won')) n
    JOIN funnel_entries f ON f.person_id = n.person_id
    WHERE n.to_stage = ANY(analytics_next_stages(f.stage))
      AND (n.at, n.id) > (f.entered_at, f.transition_id)
      AND (f.next_at IS NULL OR (n.at, n.id) < (f.next_at, f.next_transition_id))
    ORDER BY f.transition_id, n.at, n.id
  ) x
  WHERE e.transition_id = x.transition_id;
  END IF;

  IF (SELECT count(*) FROM new_transitions) <= 1000 THEN
    INSERT INTO funnel_entries (transition_id, workspace_id, person_id, stage, from_stage, entered_at,
      next_at, next_transition_id, next_stage, channel, source, owner_id, industry, employee_count, prefecture, campaign_id)
    SELECT n.id, n.workspace_id, n.person_id, n.to_stage, n.from_stage, n.at, nx.at, nx.id, nx.to_stage,
           p.channel, p.source, p.owner_id, p.industry, p.employee_count, p.prefecture, ft.campaign_id
    FROM new_transitions n
    JOIN people p ON p.id = n.person_id
    LEFT JOIN campaign_touches ft ON ft.person_id = n.person_id AND ft.first_touch
    LEFT JOIN LATERAL (
      SELECT x.id, x.at, x.to_stage FROM stage_transitions x
      WHERE x.person_id = n.person_id AND x.to_stage = ANY(analytics_next_stages(n.to_stage))
        AND (x.at, x.id) > (n.at, n.id)
      ORDER BY x.at, x.id LIMIT 1
    ) nx ON true
    WHERE n.to_stage IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won');
  ELSE
    INSERT INTO funnel_entries (transition_id, workspace_id, person_id, stage, from_stage, entered_at,
      next_at, next_transition_id, next_stage, channel, source, owner_id, industry, employee_count, prefecture, campaign_id)
    WITH ordered AS (
      SELECT x.id, x.workspace_id, x.person_id, x.from_stage, x.to_stage, x.at,
             row_number() OVER (PARTITION BY x.person_id ORDER BY x.at, x.id) AS rn
      FROM stage_transitions x WHERE x.person_id IN (SELECT person_id FROM new_transitions)
    ), ahead AS (
      SELECT o.*,
        min(o.rn) FILTER (WHERE o.to_stage = 'mql') OVER later AS next_mql,
        min(o.rn) FILTER (WHERE o.to_stage IN ('sal', 'sql')) OVER later AS next_sal_sql,
        min(o.rn) FILTER (WHERE o.to_stage = 'sql') OVER later AS next_sql,
        min(o.rn) FILTER (WHERE o.to_stage = 'won') OVER later AS next_won
      FROM ordered o
      WINDOW later AS (PARTITION BY o.person_id ORDER BY o.rn ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
    )
    SELECT a.id, a.workspace_id, a.person_id, a.to_stage, a.from_stage, a.at, nx.at, nx.id, nx.to_stage,
           p.channel, p.source, p.owner_id, p.industry, p.employee_count, p.prefecture, ft.campaign_id
    FROM ahead a
    JOIN new_transitions n ON n.id = a.id
    JOIN people p ON p.id = a.person_id
    LEFT JOIN campaign_touches ft ON ft.person_id = a.person_id AND ft.first_touch
    LEFT JOIN ordered nx ON nx.person_id = a.person_id AND nx.rn = CASE a.to_stage
      WHEN 'inquiry' THEN a.next_mql WHEN 'mql' THEN a.next_sal_sql WHEN 'sal' THEN a.next_sql
      WHEN 'sgl' THEN a.next_sql WHEN 'sql' THEN a.next_won END
    WHERE a.to_stage IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won');
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION analytics_refresh_cohorts(ids uuid[], removed boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO funnel_people AS fp (person_id, workspace_id, inquiry_at, mql_at, sql_at, won_at, stage)
  SELECT x.person_id, i.workspace_id, i.at, m.mql_at, m.sql_at, m.won_at, p.stage
  FROM (SELECT DISTINCT person_id FROM unnest(ids) AS u(person_id)) x
  CROSS JOIN LATERAL (
    SELECT min(f.workspace_id) AS workspace_id, min(f.entered_at) AS at FROM funnel_entries f
    WHERE f.person_id = x.person_id AND f.stage = 'inquiry'
  ) i
  CROSS JOIN LATERAL (
    SELECT min(f.entered_at) FILTER (WHERE f.stage = 'mql') AS mql_at,
           min(f.entered_at) FILTER (WHERE f.stage = 'sql') AS sql_at,
           min(f.entered_at) FILTER (WHERE f.stage = 'won') AS won_at
    FROM funnel_entries f
    WHERE f.person_id = x.person_id AND f.stage IN ('mql', 'sql', 'won') AND f.entered_at >= i.at
  ) m
  JOIN people p ON p.id = x.person_id
  WHERE i.at IS NOT NULL
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
