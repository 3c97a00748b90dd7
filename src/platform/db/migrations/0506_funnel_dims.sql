-- The funnel's other breakdowns (source, industry, prefecture, owner, employee size, campaign)
-- scanned funnel_entries for the period: 1.0–1.8 s for a year at 1M people. Two changes make
-- them read a monthly rollup for the whole months of a period:
--
-- 1. funnel_entries.campaign_id: the person's first-touch campaign (their campaign_touches row
--    marked first_touch), so that every breakdown value is a column of the entry. Set on new
--    entries, and changed on a person's entries whenever their first touch is marked anew.
-- 2. funnel_monthly_dims: per month of entry (Asia/Tokyo), stage, breakdown and value, the number
--    of entries by whole days to the next stage (-1: not reached yet), as funnel_daily is per day
--    and channel. Kept by statement triggers on funnel_entries, so every path that changes an
--    entry keeps it exact. The partial months at the edges of a period are still counted from
--    funnel_entries.

ALTER TABLE funnel_entries ADD COLUMN campaign_id uuid;

-- The campaign a person touched first, for new entries: every path that inserts entries joins it.
CREATE OR REPLACE FUNCTION analytics_rebuild_entries(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM funnel_entries WHERE person_id = ANY(ids);
  INSERT INTO funnel_entries (transition_id, workspace_id, person_id, stage, from_stage, entered_at,
    next_at, next_transition_id, next_stage, channel, source, owner_id, industry, employee_count, prefecture, campaign_id)
  SELECT t.id, t.workspace_id, t.person_id, t.to_stage, t.from_stage, t.at, nx.at, nx.id, nx.to_stage,
         p.channel, p.source, p.owner_id, p.industry, p.employee_count, p.prefecture, ft.campaign_id
  FROM stage_transitions t
  JOIN people p ON p.id = t.person_id
  LEFT JOIN campaign_touches ft ON ft.person_id = t.person_id AND ft.first_touch
  LEFT JOIN LATERAL (
    SELECT x.id, x.at, x.to_stage FROM stage_transitions x
    WHERE x.person_id = t.person_id AND x.to_stage = ANY(analytics_next_stages(t.to_stage))
      AND (x.at, x.id) > (t.at, t.id)
    ORDER BY x.at, x.id LIMIT 1
  ) nx ON true
  WHERE t.person_id = ANY(ids) AND t.to_stage IN ('inquiry', 'mql', 'sal', 'sgl', 'sql', 'won');
END
$$;

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

-- Marking a person's first touch anew (every change to their touches ends here) carries it to
-- their funnel entries.
CREATE OR REPLACE FUNCTION analytics_mark_lead_touches(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  WITH lead AS (
    SELECT DISTINCT ON (person_id) person_id, campaign_id FROM campaign_touches
    WHERE person_id = ANY(ids) AND at <= person_created_at + interval '1 hour'
    ORDER BY person_id, at DESC, campaign_id DESC
  ), first AS (
    SELECT DISTINCT ON (person_id) person_id, campaign_id FROM campaign_touches
    WHERE person_id = ANY(ids) AND at IS NOT NULL
    ORDER BY person_id, at, campaign_id
  ), marks AS (
    SELECT t.person_id, t.campaign_id,
           EXISTS (SELECT 1 FROM lead l WHERE l.person_id = t.person_id AND l.campaign_id = t.campaign_id) AS lead_touch,
           EXISTS (SELECT 1 FROM first f WHERE f.person_id = t.person_id AND f.campaign_id = t.campaign_id) AS first_touch
    FROM campaign_touches t WHERE t.person_id = ANY(ids)
  )
  UPDATE campaign_touches t SET lead_touch = m.lead_touch, first_touch = m.first_touch
  FROM marks m
  -- (The person_id = ANY(ids) keeps the target on its primary key: joined to `marks` alone, the
  -- generic plan scanned the whole table once per call.)
  WHERE t.person_id = ANY(ids) AND t.person_id = m.person_id AND t.campaign_id = m.campaign_id
    AND (t.lead_touch, t.first_touch) IS DISTINCT FROM (m.lead_touch, m.first_touch);

  -- Only entries whose campaign changes are written: each goes through the rollup triggers.
  UPDATE funnel_entries f SET campaign_id = x.campaign_id
  FROM (
    SELECT u.person_id, ft.campaign_id
    FROM (SELECT DISTINCT person_id FROM unnest(ids) AS u(person_id)) u
    LEFT JOIN campaign_touches ft ON ft.person_id = u.person_id AND ft.first_touch
  ) x
  WHERE f.person_id = ANY(ids) AND f.person_id = x.person_id AND f.campaign_id IS DISTINCT FROM x.campaign_id;
END
$$;

-- Deleting a campaign cascades to its touches without marking anew the people whose first (or
-- lead-creation) touch it was. Members are marked by their own delete trigger; people who touched
-- it through activities (which keep the campaign id) are marked here.
CREATE FUNCTION analytics_untrack_campaigns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_lead_touches(ARRAY(
    SELECT DISTINCT a.person_id FROM activities a JOIN old_campaigns c ON a.campaign_id = c.id
    WHERE a.person_id IS NOT NULL));
  RETURN NULL;
END
$$;
CREATE TRIGGER campaigns_touch_delete AFTER DELETE ON campaigns
  REFERENCING OLD TABLE AS old_campaigns
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_untrack_campaigns();

-- Updates of entries that move nothing in funnel_daily (a new campaign, source or industry, the
-- funnel_daily rows of every entry written again) net their old rows against their new ones and
-- write only what changed: at 34,000 entries given a campaign, the subtract-then-add of 0501 took
-- 1.25 s, as long as the update itself.
CREATE OR REPLACE FUNCTION analytics_rollup_entries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO funnel_daily AS d (workspace_id, day, stage, channel, days, n)
    SELECT workspace_id, (entered_at AT TIME ZONE 'Asia/Tokyo')::date, stage, coalesce(channel, ''),
           coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1), -count(*)
    FROM old_entries GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (workspace_id, day, stage, channel, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO funnel_daily AS d (workspace_id, day, stage, channel, days, n)
    SELECT workspace_id, (entered_at AT TIME ZONE 'Asia/Tokyo')::date, stage, coalesce(channel, ''),
           coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1), count(*)
    FROM new_entries GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (workspace_id, day, stage, channel, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  ELSE
    INSERT INTO funnel_daily AS d (workspace_id, day, stage, channel, days, n)
    SELECT workspace_id, (entered_at AT TIME ZONE 'Asia/Tokyo')::date, stage, coalesce(channel, ''),
           coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1), sum(sign)
    FROM (SELECT workspace_id, entered_at, stage, channel, next_at, -1 AS sign FROM old_entries
          UNION ALL SELECT workspace_id, entered_at, stage, channel, next_at, 1 FROM new_entries) e
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0
    ON CONFLICT (workspace_id, day, stage, channel, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$;

-- The history that existed before this migration (funnel_daily nets it to nothing).
UPDATE funnel_entries f SET campaign_id = ft.campaign_id
FROM campaign_touches ft WHERE ft.person_id = f.person_id AND ft.first_touch;

CREATE TABLE funnel_monthly_dims (
  workspace_id integer NOT NULL,
  -- The first day of the month of entry, in Asia/Tokyo.
  month date NOT NULL,
  stage text NOT NULL,
  -- 'source', 'industry', 'prefecture', 'owner', 'employeeSize' or 'campaign'.
  dim text NOT NULL,
  -- The breakdown value as text; '' for entries without one.
  value text NOT NULL,
  -- Whole days to the next stage, -1 while not reached (as in funnel_daily).
  days integer NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (workspace_id, dim, month, stage, value, days)
);

-- The breakdown values of an entry, one row per breakdown. The employee-size bands are those of
-- sizeBandSql in src/analytics/model.ts (kept.test.ts compares the two). An SQL function of one
-- VALUES list: the planner inlines it into the queries below.
CREATE FUNCTION analytics_entry_dims(source text, industry text, prefecture text, owner_id uuid,
  employee_count integer, campaign_id uuid) RETURNS TABLE (dim text, value text)
LANGUAGE sql IMMUTABLE AS $$
  VALUES ('source', coalesce(source, '')), ('industry', coalesce(industry, '')),
    ('prefecture', coalesce(prefecture, '')), ('owner', coalesce(owner_id::text, '')),
    ('employeeSize', CASE WHEN employee_count IS NULL THEN '' WHEN employee_count <= 49 THEN '1-49'
      WHEN employee_count <= 299 THEN '50-299' WHEN employee_count <= 999 THEN '300-999'
      WHEN employee_count <= 4999 THEN '1000-4999' ELSE '5000+' END),
    ('campaign', coalesce(campaign_id::text, ''))
$$;

-- One upsert per statement, all breakdowns at once. The entries are grouped by their attributes
-- first and then spread over the breakdowns: at 173,000 entries spreading each entry took 2–3 s,
-- grouping first 0.25 s. An update nets its old rows against its new ones, so a change that moves
-- no breakdown value or day count (a channel change, a next stage on the same day) writes nothing.
-- Every new Inquiry adds to the same few rows of the month (one per breakdown): the rows are
-- upserted in primary-key order, so that concurrent statements wait for each other instead of
-- deadlocking.
CREATE FUNCTION analytics_rollup_entry_dims() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO funnel_monthly_dims AS d (workspace_id, dim, month, stage, value, days, n)
    SELECT e.workspace_id, v.dim, e.month, e.stage, v.value, e.days, sum(e.n)
    FROM (SELECT workspace_id, stage, date_trunc('month', entered_at AT TIME ZONE 'Asia/Tokyo')::date AS month,
            coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1) AS days,
            source, industry, prefecture, owner_id, employee_count, campaign_id, count(*) AS n
          FROM new_entries GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) e,
      analytics_entry_dims(e.source, e.industry, e.prefecture, e.owner_id, e.employee_count, e.campaign_id) v
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, dim, month, stage, value, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO funnel_monthly_dims AS d (workspace_id, dim, month, stage, value, days, n)
    SELECT e.workspace_id, v.dim, e.month, e.stage, v.value, e.days, sum(e.n)
    FROM (SELECT workspace_id, stage, date_trunc('month', entered_at AT TIME ZONE 'Asia/Tokyo')::date AS month,
            coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1) AS days,
            source, industry, prefecture, owner_id, employee_count, campaign_id, -count(*) AS n
          FROM old_entries GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) e,
      analytics_entry_dims(e.source, e.industry, e.prefecture, e.owner_id, e.employee_count, e.campaign_id) v
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, dim, month, stage, value, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  ELSE
    INSERT INTO funnel_monthly_dims AS d (workspace_id, dim, month, stage, value, days, n)
    SELECT e.workspace_id, v.dim, e.month, e.stage, v.value, e.days, sum(e.n)
    FROM (SELECT workspace_id, stage, date_trunc('month', entered_at AT TIME ZONE 'Asia/Tokyo')::date AS month,
            coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1) AS days,
            source, industry, prefecture, owner_id, employee_count, campaign_id, sum(sign) AS n
          FROM (SELECT *, -1 AS sign FROM old_entries UNION ALL SELECT *, 1 FROM new_entries) x
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING sum(sign) <> 0) e,
      analytics_entry_dims(e.source, e.industry, e.prefecture, e.owner_id, e.employee_count, e.campaign_id) v
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(e.n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, dim, month, stage, value, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER funnel_entries_dims_insert AFTER INSERT ON funnel_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_entry_dims();
CREATE TRIGGER funnel_entries_dims_update AFTER UPDATE ON funnel_entries
  REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_entry_dims();
CREATE TRIGGER funnel_entries_dims_delete AFTER DELETE ON funnel_entries
  REFERENCING OLD TABLE AS old_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_entry_dims();

INSERT INTO funnel_monthly_dims (workspace_id, dim, month, stage, value, days, n)
SELECT e.workspace_id, v.dim, e.month, e.stage, v.value, e.days, sum(e.n)
FROM (SELECT workspace_id, stage, date_trunc('month', entered_at AT TIME ZONE 'Asia/Tokyo')::date AS month,
        coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1) AS days,
        source, industry, prefecture, owner_id, employee_count, campaign_id, count(*) AS n
      FROM funnel_entries GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) e,
  analytics_entry_dims(e.source, e.industry, e.prefecture, e.owner_id, e.employee_count, e.campaign_id) v
GROUP BY 1, 2, 3, 4, 5, 6;
ANALYZE funnel_monthly_dims;
