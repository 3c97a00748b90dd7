-- Bulk loads into stage_transitions (imports, benchmarks, back-fills) compute the new funnel
-- entries with one sort over the affected people's history instead of an index probe per row.
-- Small statements (the live path) keep the probe, which touches only the rows it needs.
CREATE OR REPLACE FUNCTION analytics_track_transitions() RETURNS trigger
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

  IF (SELECT count(*) FROM new_transitions) <= 1000 THEN
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
  ELSE
    INSERT INTO funnel_entries (transition_id, workspace_id, person_id, stage, from_stage, entered_at,
      next_at, next_transition_id, next_stage, channel, source, owner_id, industry, employee_count, prefecture)
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
           p.channel, p.source, p.owner_id, p.industry, p.employee_count, p.prefecture
    FROM ahead a
    JOIN new_transitions n ON n.id = a.id
    JOIN people p ON p.id = a.person_id
    LEFT JOIN ordered nx ON nx.person_id = a.person_id AND nx.rn = CASE a.to_stage
      WHEN 'inquiry' THEN a.next_mql WHEN 'mql' THEN a.next_sal_sql WHEN 'sal' THEN a.next_sql
      WHEN 'sgl' THEN a.next_sql WHEN 'sql' THEN a.next_won END
    WHERE a.to_stage IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won');
  END IF;
  RETURN NULL;
END
$$;
