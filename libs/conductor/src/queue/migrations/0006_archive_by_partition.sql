--! breaking
-- Finished executions move to archived_executions, a table partitioned by the time they finished, so that
-- the retention cleanup drops whole partitions instead of deleting rows one by one.
--
-- Why: keeping a finished execution was the dearest part of a job at the defaults. Each one paid for an
-- entry in a btree over finished_at (migration 0005), there only so that the cleanup could find expired
-- rows, and the rows it deleted left dead tuples and index entries for VACUUM. Partitions expire whole:
-- no index is needed to find what expired, nothing is deleted row by row, and since a partition's space
-- is never reused, a BRIN index over finished_at stays as narrow as the day it was written (the defect
-- 0005 mended cannot come back). A completion that keeps its execution counts 31,168 server
-- instructions a row instead of 38,469 (`npm run bench:instructions`).
--
-- The layout:
--   - Range partitions, made ahead of time by the maintenance (prepare_archive_partitions), each a
--     quarter of retentionMs wide (at least a minute, at most a day), and dropped once they end before
--     now() - retentionMs (drop_archive_partitions).
--   - The default partition catches what no range partition covers: the rows of before this migration,
--     and any that finished while no process had made partitions ahead. The cleanup deletes its expired
--     rows in batches, through the btree index over finished_at it keeps from 0005, and a partition made
--     later takes over the rows of its range.
--   - A hash index over id (get(id), idempotent invokes): a partitioned table's unique index would have
--     to include finished_at; ids are unique already, since an execution leaves the hot table once.
--
-- Breaking: orchestrators of older versions are asked to shut down first. Their statements name
-- finished_executions, which no longer exists, so one that did not leave in time fails its completions
-- (its executions then run again after its leases are swept) instead of writing where no one reads.
--
-- Time: the existing table becomes the default partition, renamed in place, not copied. Building the hash
-- and BRIN indexes over its rows holds writes to it: 3.8-4.6 s for 2 million finished executions
-- (measured, PostgreSQL 18).

ALTER TABLE :"schema".finished_executions RENAME TO archived_executions_default;
ALTER TABLE :"schema".archived_executions_default DROP CONSTRAINT finished_executions_pkey;
ALTER TABLE :"schema".archived_executions_default
  RENAME CONSTRAINT finished_executions_state_check TO archived_executions_state_check;
ALTER INDEX :"schema".finished_executions_finished_at RENAME TO archived_executions_default_finished_at;

-- The same columns, defaults and check constraint as the table it partitions, which becomes its default partition.
CREATE TABLE :"schema".archived_executions (LIKE :"schema".archived_executions_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (finished_at);

ALTER TABLE :"schema".archived_executions ATTACH PARTITION :"schema".archived_executions_default DEFAULT;
CREATE INDEX archived_executions_id ON :"schema".archived_executions USING hash (id);
-- "Completed in the last minute" (stats()) reads the newest partition through it.
CREATE INDEX archived_executions_finished_at ON :"schema".archived_executions USING brin (finished_at);

-- The range partitions and their bounds, read from the catalog (a bound prints as
-- FOR VALUES FROM ('…') TO ('…'), the default partition as DEFAULT).
CREATE FUNCTION :"schema".archive_partitions()
RETURNS TABLE (name text, starts_at timestamptz, ends_at timestamptz)
LANGUAGE sql STABLE
SET search_path = :"schema", pg_catalog
AS $partitions$
  SELECT c.relname::text, bound[1]::timestamptz, bound[2]::timestamptz
  FROM pg_inherits AS i
  JOIN pg_class AS c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) AS bound
  WHERE i.inhparent = 'archived_executions'::regclass AND bound IS NOT NULL
$partitions$;

-- Makes range partitions p_width wide from where the last one ends (or from the minute of p_now, when
-- there is none or it ended more than a width ago) until they reach p_now + p_ahead; at most 50 a call.
-- Rows of a new partition's range that waited in the default partition move into it. Returns how many it
-- made. A transaction-scoped advisory lock keeps two processes from making the same partition.
-- Attaching a partition locks the default one, which every reader of the table reads: it waits at most
-- 500 ms for the statements in flight, so that readers do not queue behind it, and otherwise stops there
-- (partitions are made two widths ahead: the next cleanup has time to try again).
CREATE FUNCTION :"schema".prepare_archive_partitions(p_now timestamptz, p_width interval, p_ahead interval)
RETURNS integer
LANGUAGE plpgsql
SET search_path = :"schema", pg_catalog
SET lock_timeout = '500ms'
AS $prepare$
DECLARE
  v_from timestamptz;
  v_to timestamptz;
  v_name text;
  v_made integer := 0;
BEGIN
  IF p_width < interval '1 second' THEN
    RAISE EXCEPTION 'archive partitions must be at least a second wide, got %', p_width;
  END IF;
  PERFORM pg_advisory_xact_lock('archived_executions'::regclass::oid::bigint);
  SELECT max(ends_at) INTO v_from FROM archive_partitions();
  IF v_from IS NULL OR v_from < p_now - p_width THEN
    v_from := greatest(v_from, date_trunc('minute', p_now));
  END IF;
  WHILE v_from < p_now + p_ahead AND v_made < 50 LOOP
    v_to := v_from + p_width;
    v_name := 'archived_executions_' || to_char(v_from AT TIME ZONE 'UTC', 'YYYYMMDD"_"HH24MISS');
    BEGIN
      EXECUTE format('CREATE TABLE %I (LIKE archived_executions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
      EXECUTE format(
        'WITH moved AS (DELETE FROM archived_executions_default WHERE finished_at >= $1 AND finished_at < $2 RETURNING *) '
        'INSERT INTO %I SELECT * FROM moved', v_name) USING v_from, v_to;
      EXECUTE format('ALTER TABLE archived_executions ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', v_name, v_from, v_to);
    EXCEPTION WHEN lock_not_available THEN
      RETURN v_made;
    END;
    v_from := v_to;
    v_made := v_made + 1;
  END LOOP;
  RETURN v_made;
END
$prepare$;

-- Drops the range partitions that end at or before p_cutoff, oldest first, at most 10 a call; returns how
-- many. Dropping a partition locks the whole table, so it takes that lock first (the order every reader
-- and writer takes: no deadlock) and waits at most 500 ms for the statements in flight; when they hold it
-- longer it drops nothing and the next cleanup tries again.
CREATE FUNCTION :"schema".drop_archive_partitions(p_cutoff timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET search_path = :"schema", pg_catalog
SET lock_timeout = '500ms'
AS $drop$
DECLARE
  v_names text[];
  v_name text;
BEGIN
  SELECT array_agg(name ORDER BY ends_at) INTO v_names
  FROM (SELECT name, ends_at FROM archive_partitions() WHERE ends_at <= p_cutoff ORDER BY ends_at LIMIT 10) AS expired;
  IF v_names IS NULL THEN
    RETURN 0;
  END IF;
  BEGIN
    LOCK TABLE archived_executions IN ACCESS EXCLUSIVE MODE;
  EXCEPTION WHEN lock_not_available THEN
    RETURN 0;
  END;
  FOREACH v_name IN ARRAY v_names LOOP
    EXECUTE format('DROP TABLE %I', v_name);
  END LOOP;
  RETURN cardinality(v_names);
END
$drop$;
