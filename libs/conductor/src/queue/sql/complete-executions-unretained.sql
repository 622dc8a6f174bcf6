-- Records a batch of completions when finished executions are not retained: the rows still holding
-- the given leases are deleted (a lease is set only while its execution runs: migration 0002).
-- $1: the leases, as a bigint array. Returns the leases that were NOT applied (late: their execution was
-- swept, cancelled or handed back meanwhile), usually none: the anti-join runs only when one is missing.
WITH done AS (
  DELETE FROM :"schema".executions AS e
  WHERE e.lease = ANY ($1::bigint[]) AND e.state = 'running'
  RETURNING e.lease
)
SELECT given.lease::text AS lease
FROM unnest($1::bigint[]) AS given(lease)
WHERE (SELECT count(*) FROM done) < cardinality($1::bigint[])
  AND NOT EXISTS (SELECT 1 FROM done WHERE done.lease = given.lease);
