-- Campaign touches, kept: one row per (person, campaign) the campaign reached, with the first
-- touch — the earliest of a non-invited membership and the person's activities carrying the
-- campaign; null while the person is only invited (reached, not yet touched). Campaign ROI,
-- attribution and the funnel's campaign breakdown read this narrow table instead of merging
-- campaign_members with activities per request: at 1M people and 10M activities the campaign
-- report took ≈80 s that way.
--
-- Kept exact by triggers: new memberships and new activities can only make a first touch
-- earlier (an upsert with least); any other change to a membership or a campaign activity
-- recomputes the pairs it touched from both sources. Deleting a person or a campaign cascades.
-- Two facts of the person ride along so that the report needs no join per touch: when the person
-- was created (the W-shaped model's lead-creation touch, the "new Inquiries" column) and their
-- latest MQL entry (the "MQLs after the touch" column), kept by the funnel_entries triggers below.
CREATE TABLE campaign_touches (
  person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  workspace_id integer NOT NULL,
  at timestamptz,
  person_created_at timestamptz NOT NULL,
  last_mql_at timestamptz,
  -- The person's lead-creation touch: their last touch up to their creation plus an hour of
  -- slack (LEAD_CREATION_SLACK_MS in analytics/attribution.ts); at most one per person.
  lead_touch boolean NOT NULL DEFAULT false,
  -- The person's first touch (earliest, then lowest campaign id): the funnel's campaign breakdown.
  first_touch boolean NOT NULL DEFAULT false,
  PRIMARY KEY (person_id, campaign_id)
);
-- Per-campaign counts: one pass over the workspace's touches, index only.
CREATE INDEX campaign_touches_first_idx ON campaign_touches (person_id) INCLUDE (campaign_id) WHERE first_touch;
CREATE INDEX campaign_touches_campaign_idx ON campaign_touches (workspace_id, campaign_id)
  INCLUDE (at, last_mql_at, lead_touch);

-- Marks each given person's lead-creation touch and first touch, and only those.
CREATE FUNCTION analytics_mark_lead_touches(ids uuid[]) RETURNS void
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
END
$$;

-- A person's latest MQL entry. (PL/pgSQL, as the functions below: a row trigger calls them once
-- per campaign activity, and PL/pgSQL keeps its plans where an SQL function plans on every call —
-- which made a bulk load of 80,000 campaign activities take minutes instead of seconds.)
CREATE FUNCTION analytics_last_mql(pid uuid) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT max(entered_at) FROM funnel_entries WHERE person_id = pid AND stage = 'mql');
END
$$;

-- Recomputes the touches of some (person, campaign) pairs from campaign_members and activities.
CREATE FUNCTION analytics_refresh_touches(pids uuid[], cids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM campaign_touches t USING unnest(pids, cids) AS u(person_id, campaign_id)
  WHERE t.person_id = u.person_id AND t.campaign_id = u.campaign_id;
  INSERT INTO campaign_touches (person_id, campaign_id, workspace_id, at, person_created_at, last_mql_at)
  SELECT s.person_id, s.campaign_id, c.workspace_id, min(s.at), p.created_at, analytics_last_mql(s.person_id)
  FROM (
    SELECT m.person_id, m.campaign_id, CASE WHEN m.status <> 'invited' THEN m.joined_at END AS at
    FROM campaign_members m JOIN (SELECT DISTINCT * FROM unnest(pids, cids) AS u(person_id, campaign_id)) u
      ON m.person_id = u.person_id AND m.campaign_id = u.campaign_id
    UNION ALL
    SELECT a.person_id, a.campaign_id, a.occurred_at
    FROM activities a JOIN (SELECT DISTINCT * FROM unnest(pids, cids) AS u(person_id, campaign_id)) u
      ON a.campaign_id = u.campaign_id AND a.person_id = u.person_id
  ) s
  JOIN campaigns c ON c.id = s.campaign_id
  JOIN people p ON p.id = s.person_id
  GROUP BY s.person_id, s.campaign_id, c.workspace_id, p.created_at;
  PERFORM analytics_mark_lead_touches(pids);
END
$$;

-- New memberships, set-based for imports: reached, and touched unless invited.
CREATE FUNCTION analytics_track_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO campaign_touches AS t (person_id, campaign_id, workspace_id, at, person_created_at, last_mql_at)
  SELECT n.person_id, n.campaign_id, c.workspace_id, min(CASE WHEN n.status <> 'invited' THEN n.joined_at END),
         p.created_at, analytics_last_mql(n.person_id)
  FROM new_members n JOIN campaigns c ON c.id = n.campaign_id JOIN people p ON p.id = n.person_id
  GROUP BY n.person_id, n.campaign_id, c.workspace_id, p.created_at
  ON CONFLICT (person_id, campaign_id) DO UPDATE SET at = least(t.at, EXCLUDED.at)
  WHERE EXCLUDED.at IS NOT NULL AND (t.at IS NULL OR EXCLUDED.at < t.at);
  PERFORM analytics_mark_lead_touches(ARRAY(SELECT DISTINCT person_id FROM new_members WHERE status <> 'invited'));
  RETURN NULL;
END
$$;
CREATE TRIGGER campaign_members_touch_insert AFTER INSERT ON campaign_members
  REFERENCING NEW TABLE AS new_members
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_track_members();

-- A changed status, date or person (a merge), or a removal: recompute the pairs involved.
CREATE FUNCTION analytics_retrack_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM analytics_refresh_touches(
      ARRAY(SELECT person_id FROM old_members UNION ALL SELECT person_id FROM new_members),
      ARRAY(SELECT campaign_id FROM old_members UNION ALL SELECT campaign_id FROM new_members));
  ELSE
    PERFORM analytics_refresh_touches(ARRAY(SELECT person_id FROM old_members), ARRAY(SELECT campaign_id FROM old_members));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER campaign_members_touch_update AFTER UPDATE ON campaign_members
  REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_retrack_members();
CREATE TRIGGER campaign_members_touch_delete AFTER DELETE ON campaign_members
  REFERENCING OLD TABLE AS old_members
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_retrack_members();

-- New activities, set-based (a bulk load of 80,000 campaign activities through a row trigger took
-- about a millisecond each): the pairs they touch get their first touch lowered or created, and
-- the people whose touches changed get their marks redone.
CREATE FUNCTION analytics_track_activities() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed uuid[];
BEGIN
  WITH up AS (
    INSERT INTO campaign_touches AS t (person_id, campaign_id, workspace_id, at, person_created_at, last_mql_at)
    SELECT n.person_id, n.campaign_id, c.workspace_id, min(n.occurred_at), p.created_at, analytics_last_mql(n.person_id)
    FROM new_activities n JOIN campaigns c ON c.id = n.campaign_id JOIN people p ON p.id = n.person_id
    WHERE n.campaign_id IS NOT NULL AND n.person_id IS NOT NULL
    GROUP BY n.person_id, n.campaign_id, c.workspace_id, p.created_at
    ON CONFLICT (person_id, campaign_id) DO UPDATE SET at = EXCLUDED.at
    WHERE t.at IS NULL OR EXCLUDED.at < t.at
    RETURNING t.person_id
  )
  SELECT array_agg(DISTINCT person_id) INTO changed FROM up;
  -- A later activity of a campaign already touched (the common case) changes nothing.
  IF changed IS NOT NULL THEN
    PERFORM analytics_mark_lead_touches(changed);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER activities_touch_insert AFTER INSERT ON activities
  REFERENCING NEW TABLE AS new_activities
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_track_activities();

-- A changed person, campaign or time of an activity with a campaign (an identified visitor, a
-- merge): recompute the pairs involved.
CREATE FUNCTION analytics_track_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_refresh_touches(ARRAY[OLD.person_id, NEW.person_id], ARRAY[OLD.campaign_id, NEW.campaign_id]);
  RETURN NULL;
END
$$;
CREATE TRIGGER activities_touch_update AFTER UPDATE OF person_id, campaign_id, occurred_at ON activities
  FOR EACH ROW WHEN ((OLD.campaign_id IS NOT NULL OR NEW.campaign_id IS NOT NULL)
    AND (OLD.person_id, OLD.campaign_id, OLD.occurred_at) IS DISTINCT FROM (NEW.person_id, NEW.campaign_id, NEW.occurred_at))
  EXECUTE FUNCTION analytics_track_activity();
CREATE FUNCTION analytics_untrack_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_refresh_touches(ARRAY[OLD.person_id], ARRAY[OLD.campaign_id]);
  RETURN NULL;
END
$$;
CREATE TRIGGER activities_touch_delete AFTER DELETE ON activities
  FOR EACH ROW WHEN (OLD.campaign_id IS NOT NULL AND OLD.person_id IS NOT NULL)
  EXECUTE FUNCTION analytics_untrack_activity();

-- A person's MQL entries changed: their touches carry the new latest one.
CREATE FUNCTION analytics_touch_mql() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE campaign_touches t SET last_mql_at = n.at
    FROM (SELECT person_id, max(entered_at) AS at FROM new_entries WHERE stage = 'mql' GROUP BY person_id) n
    WHERE t.person_id = n.person_id AND (t.last_mql_at IS NULL OR t.last_mql_at < n.at);
  ELSE
    UPDATE campaign_touches t SET last_mql_at = analytics_last_mql(t.person_id)
    FROM (SELECT DISTINCT person_id FROM old_entries WHERE stage = 'mql') o
    WHERE t.person_id = o.person_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER funnel_entries_touch_mql_insert AFTER INSERT ON funnel_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_touch_mql();
CREATE TRIGGER funnel_entries_touch_mql_delete AFTER DELETE ON funnel_entries
  REFERENCING OLD TABLE AS old_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_touch_mql();

-- The history that existed before this migration.
INSERT INTO campaign_touches (person_id, campaign_id, workspace_id, at, person_created_at, last_mql_at)
SELECT s.person_id, s.campaign_id, c.workspace_id, min(s.at), p.created_at, min(m.at)
FROM (
  SELECT person_id, campaign_id, CASE WHEN status <> 'invited' THEN joined_at END AS at FROM campaign_members
  UNION ALL
  SELECT person_id, campaign_id, occurred_at FROM activities WHERE campaign_id IS NOT NULL AND person_id IS NOT NULL
) s
JOIN campaigns c ON c.id = s.campaign_id
JOIN people p ON p.id = s.person_id
LEFT JOIN (SELECT person_id, max(entered_at) AS at FROM funnel_entries WHERE stage = 'mql' GROUP BY person_id) m
  ON m.person_id = s.person_id
GROUP BY s.person_id, s.campaign_id, c.workspace_id, p.created_at;
UPDATE campaign_touches t SET lead_touch = true
FROM (
  SELECT DISTINCT ON (person_id) person_id, campaign_id FROM campaign_touches
  WHERE at <= person_created_at + interval '1 hour'
  ORDER BY person_id, at DESC, campaign_id DESC
) l
WHERE t.person_id = l.person_id AND t.campaign_id = l.campaign_id;
UPDATE campaign_touches t SET first_touch = true
FROM (
  SELECT DISTINCT ON (person_id) person_id, campaign_id FROM campaign_touches
  WHERE at IS NOT NULL
  ORDER BY person_id, at, campaign_id
) f
WHERE t.person_id = f.person_id AND t.campaign_id = f.campaign_id;
ANALYZE campaign_touches;
