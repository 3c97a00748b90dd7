-- A bulk update of people's breakdown attributes (an import merging 50,000 known people, an
-- owner assignment of a batch) fired the row trigger people_funnel_attributes once per person:
-- an UPDATE of that person's funnel entries, and with it the statement triggers of funnel_daily
-- and funnel_monthly_dims, 0.27–0.4 ms per person (≈15 s of a 100,000-row import).
--
-- The row trigger now stands aside while the transaction-local setting leadflow.funnel_sync is
-- 'deferred'; the bulk path then calls analytics_sync_people(ids) once, which writes only the
-- entries whose attributes differ, in one statement (one firing of each rollup trigger). Without
-- the setting (every other path, or a caller outside a transaction) the row trigger runs as before.
-- (A statement trigger over the transition tables would serve both, but PostgreSQL allows no
-- column list on one: it would capture every update of people, each rescore's million included.)
-- (PL/pgSQL, so that the row trigger's calls reuse one cached plan.)
CREATE FUNCTION analytics_sync_people(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE funnel_entries f SET channel = p.channel, source = p.source, owner_id = p.owner_id,
    industry = p.industry, employee_count = p.employee_count, prefecture = p.prefecture
  FROM people p
  WHERE f.person_id = ANY(ids) AND p.id = f.person_id
    AND (f.channel, f.source, f.owner_id, f.industry, f.employee_count, f.prefecture)
      IS DISTINCT FROM (p.channel, p.source, p.owner_id, p.industry, p.employee_count, p.prefecture);
END
$$;

-- The row trigger's body is the same update for one person.
CREATE OR REPLACE FUNCTION analytics_sync_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_sync_people(ARRAY[NEW.id]);
  RETURN NULL;
END
$$;

DROP TRIGGER people_funnel_attributes ON people;
CREATE TRIGGER people_funnel_attributes
  AFTER UPDATE OF channel, source, owner_id, industry, employee_count, prefecture ON people
  FOR EACH ROW
  WHEN ((OLD.channel IS DISTINCT FROM NEW.channel OR OLD.source IS DISTINCT FROM NEW.source
     OR OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.industry IS DISTINCT FROM NEW.industry
     OR OLD.employee_count IS DISTINCT FROM NEW.employee_count OR OLD.prefecture IS DISTINCT FROM NEW.prefecture)
    AND coalesce(current_setting('leadflow.funnel_sync', true), '') <> 'deferred')
  EXECUTE FUNCTION analytics_sync_person();
