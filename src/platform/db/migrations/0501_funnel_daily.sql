-- A daily rollup of funnel_entries for the reports that must stay fast at millions of people:
-- per day (Asia/Tokyo) of entry, stage and channel, the number of entries by whole days to the
-- next stage (-1: not reached yet). Totals, the channel breakdown, trends and medians are exact
-- sums over it. Kept by statement-level triggers on funnel_entries, so every path that changes
-- an entry (new transitions, a conversion, a person's channel, a merge, an erasure) keeps it right.
CREATE TABLE funnel_daily (
  workspace_id integer NOT NULL,
  day date NOT NULL,
  stage text NOT NULL,
  -- '' for people without a channel.
  channel text NOT NULL,
  days integer NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (workspace_id, day, stage, channel, days)
);


CREATE FUNCTION analytics_rollup_entries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO funnel_daily AS d (workspace_id, day, stage, channel, days, n)
    SELECT workspace_id, (entered_at AT TIME ZONE 'Asia/Tokyo')::date, stage, coalesce(channel, ''),
           coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1), -count(*)
    FROM old_entries GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (workspace_id, day, stage, channel, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO funnel_daily AS d (workspace_id, day, stage, channel, days, n)
    SELECT workspace_id, (entered_at AT TIME ZONE 'Asia/Tokyo')::date, stage, coalesce(channel, ''),
           coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1), count(*)
    FROM new_entries GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (workspace_id, day, stage, channel, days) DO UPDATE SET n = d.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER funnel_entries_rollup_insert AFTER INSERT ON funnel_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_entries();
CREATE TRIGGER funnel_entries_rollup_update AFTER UPDATE ON funnel_entries
  REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_entries();
CREATE TRIGGER funnel_entries_rollup_delete AFTER DELETE ON funnel_entries
  REFERENCING OLD TABLE AS old_entries
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_entries();

INSERT INTO funnel_daily (workspace_id, day, stage, channel, days, n)
SELECT workspace_id, (entered_at AT TIME ZONE 'Asia/Tokyo')::date, stage, coalesce(channel, ''),
       coalesce(floor(extract(epoch FROM next_at - entered_at) / 86400)::int, -1), count(*)
FROM funnel_entries GROUP BY 1, 2, 3, 4, 5;

-- Where the period's SQL entries came from: an index-only range per stage.
DROP INDEX funnel_entries_stage_idx;
CREATE INDEX funnel_entries_stage_idx ON funnel_entries (workspace_id, stage, entered_at) INCLUDE (from_stage);
