-- Retention, row by row: deletes at most $3 finished executions older than $1 ms from the default
-- partition of archived_executions (rows no range partition covered: migration 0006; the range partitions
-- are dropped whole by drop-archive-partitions.sql) and at most $3 idempotency keys older than $2 ms per
-- call, so one sweep never holds locks for long. Oldest first, along the btree indexes over the time
-- (migration 0005): the walk reads about the pages it deletes from, whatever the generic plan guesses
-- about how many rows are expired.
WITH finished AS (
  DELETE FROM :"schema".archived_executions_default
  WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM :"schema".archived_executions_default
    WHERE finished_at < now() - $1 * interval '1 millisecond'
    ORDER BY finished_at
    LIMIT $3))
  RETURNING 1
),
keys AS (
  DELETE FROM :"schema".idempotency_keys
  WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM :"schema".idempotency_keys
    WHERE created_at < now() - $2 * interval '1 millisecond'
    ORDER BY created_at
    LIMIT $3))
  RETURNING 1
)
SELECT (SELECT count(*) FROM finished)::int AS finished, (SELECT count(*) FROM keys)::int AS keys;
