-- Hands leased executions back at shutdown without counting the attempt: they were fetched but not run
-- (or aborted by the shutdown). Only where the lease is still current (a lease is set only while
-- running: migration 0002). $1: JSON array of { id, lease }.
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, lease bigint)
)
UPDATE :"schema".executions AS e
SET state = 'queued',
    attempts = greatest(e.attempts - 1, 0),
    run_at = now(),
    lease = NULL,
    locked_by = NULL,
    locked_at = NULL
FROM input AS r
WHERE e.id = ANY (ARRAY(SELECT id FROM input)) AND e.id = r.id AND e.lease = r.lease
RETURNING e.id::text AS id;
