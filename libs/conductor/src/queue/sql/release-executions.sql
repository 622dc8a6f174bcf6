-- Hands leased executions back at shutdown without counting the attempt: they were fetched but not run
-- (or aborted by the shutdown). $1: JSON array of { id, lease }.
UPDATE :"schema".executions AS e
SET state = 'queued',
    attempts = greatest(e.attempts - 1, 0),
    run_at = now(),
    lease = NULL,
    locked_by = NULL,
    locked_at = NULL
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, lease bigint)
WHERE e.id = ANY (ARRAY(SELECT (jsonb_array_elements($1::jsonb) ->> 'id')::uuid))
  AND e.id = r.id AND e.lease = r.lease AND e.state = 'running'
RETURNING e.id::text AS id;
