-- Records a batch of failed attempts: back to the queue after the given delay, or dead when the
-- attempts are used up (or the error said not to retry). Applied to the rows still holding the given
-- leases (a lease is set only while its execution runs: migration 0002). The error history keeps the
-- last 20 attempts. $1: JSON array of { lease, delay_ms, retry, error }. Returns the leases applied.
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(lease bigint, delay_ms float8, retry boolean, error jsonb)
)
UPDATE :"schema".executions AS e
SET state = CASE WHEN e.attempts >= e.max_attempts OR NOT f.retry THEN 'dead' ELSE 'queued' END,
    run_at = CASE WHEN e.attempts >= e.max_attempts OR NOT f.retry THEN e.run_at
                  ELSE now() + f.delay_ms * interval '1 millisecond' END,
    lease = NULL,
    locked_by = NULL,
    locked_at = NULL,
    errors = (CASE WHEN jsonb_array_length(e.errors) >= 20 THEN e.errors - 0 ELSE e.errors END) || jsonb_build_array(f.error)
FROM input AS f
-- = ANY(ARRAY(...)) keeps the update on the lease index whatever the generic plan guesses about the batch.
WHERE e.lease = ANY (ARRAY(SELECT lease FROM input)) AND e.state = 'running' AND e.lease = f.lease
RETURNING f.lease::text AS lease, e.state;
