-- The firmographic conditions of a typical B2B segment ("manufacturing or IT, 300 employees or
-- more"), as the segment compiler writes them (lower(text) = ANY(…), integer >= n), read
-- index-only: about a tenth of the index instead of every page of people (530 bytes a row).
-- `industry` is included because PostgreSQL 15 plans an index-only scan on an expression
-- index only when the column itself is in the index too.
CREATE INDEX people_firmographic_idx ON people (workspace_id, lower(industry), employee_count)
  INCLUDE (id, industry);
