-- Removes this process at the end of a graceful shutdown. Leases it still holds (a hand-back that
-- failed, a fetch that came back late) go back to the queue in the same statement, the attempt not
-- counted, so no execution is ever left leased to an orchestrator that no longer exists.
WITH gone AS (
  DELETE FROM :"schema".orchestrators WHERE id = $1 RETURNING id
),
released AS (
  UPDATE :"schema".executions AS e
  SET state = 'queued',
      attempts = greatest(e.attempts - 1, 0),
      run_at = now(),
      lease = NULL,
      locked_by = NULL,
      locked_at = NULL
  WHERE e.state = 'running' AND e.locked_by = $1
  RETURNING e.id
)
SELECT (SELECT count(*) FROM gone)::int AS orchestrators, (SELECT count(*) FROM released)::int AS released;
