-- Hands leased executions back at shutdown without counting the attempt: they were fetched but not run
-- (or aborted by the shutdown). Only the rows still holding the given leases (a lease is set only while
-- its execution runs: migration 0002). $1: the leases, as a bigint array.
UPDATE :"schema".executions AS e
SET state = 'queued',
    attempts = greatest(e.attempts - 1, 0),
    run_at = now(),
    lease = NULL,
    locked_by = NULL,
    locked_at = NULL
WHERE e.lease = ANY ($1::bigint[]) AND e.state = 'running'
RETURNING e.id::text AS id;
