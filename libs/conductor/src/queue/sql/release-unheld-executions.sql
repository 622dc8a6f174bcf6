-- Hands back the executions leased to orchestrator $1 other than those it holds ($2: the leases of
-- what is running, buffered or waiting to be written; a lease names one attempt, where an id may be held
-- for an older attempt of the same execution), the attempt not counted. A fetch whose answer was lost (the
-- connection died or the call timed out after the statement ran) leased rows to a live process that
-- never received them, and no sweep requeues the leases of a process that keeps heartbeating. Run after
-- such a failure, and every staleAfterMs for a lost statement that committed after that run. Reads only
-- the running rows (executions_leased).
UPDATE :"schema".executions AS e
SET state = 'queued',
    attempts = greatest(e.attempts - 1, 0),
    lease = NULL,
    locked_by = NULL,
    locked_at = NULL
WHERE e.state = 'running' AND e.locked_by = $1 AND NOT (e.lease = ANY ($2::bigint[]))
RETURNING e.id::text AS id;
