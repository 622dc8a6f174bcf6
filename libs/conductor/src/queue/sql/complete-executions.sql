-- Records a batch of completions: the rows still holding the given leases leave the hot table (a lease
-- is set only while its execution runs: migration 0002) and are kept in archived_executions, partitioned
-- by the time they finished (migration 0006), for the retention period. $1: the leases, as a bigint
-- array. $2: a JSON object of the results that are not null, keyed by lease (NULL when there are none).
-- Returns the leases that were NOT applied (late), usually none: the anti-join runs only when one is missing.
-- The deleted rows return only what the archive and the anti-join read: every column returned is copied
-- into the CTE's store and read back (e.* cost 1,100 more instructions a row, `npm run bench:instructions`).
WITH done AS (
  DELETE FROM :"schema".executions AS e
  WHERE e.lease = ANY ($1::bigint[]) AND e.state = 'running'
  RETURNING e.id, e.task, e.queue, e.payload, e.priority, e.attempts, e.max_attempts, e.errors, e.run_at, e.created_at, e.lease
),
archived AS (
  INSERT INTO :"schema".archived_executions
    (id, task, queue, state, payload, result, priority, attempts, max_attempts, errors, run_at, created_at)
  SELECT id, task, queue, 'completed', payload, $2::jsonb -> (lease::text), priority, attempts, max_attempts, errors, run_at, created_at
  FROM done
)
SELECT given.lease::text AS lease
FROM unnest($1::bigint[]) AS given(lease)
WHERE (SELECT count(*) FROM done) < cardinality($1::bigint[])
  AND NOT EXISTS (SELECT 1 FROM done WHERE done.lease = given.lease);
