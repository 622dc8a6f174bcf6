-- Removes orchestrators silent for more than $1 ms and returns their leased executions to the queue
-- (the attempt counts: dead when it was the last). Executions leased by an orchestrator that no longer
-- exists at all, for as long, are recovered too.
WITH stale AS (
  DELETE FROM :"schema".orchestrators
  WHERE last_heartbeat_at < now() - $1 * interval '1 millisecond'
  RETURNING id
),
lost AS (
  SELECT e.id
  FROM :"schema".executions AS e
  WHERE e.state = 'running'
    AND (e.locked_by IN (SELECT id FROM stale)
         OR (e.locked_at < now() - $1 * interval '1 millisecond'
             AND NOT EXISTS (SELECT 1 FROM :"schema".orchestrators AS o WHERE o.id = e.locked_by)))
  FOR UPDATE OF e SKIP LOCKED
),
requeued AS (
  UPDATE :"schema".executions AS e
  SET state = CASE WHEN e.attempts >= e.max_attempts THEN 'dead' ELSE 'queued' END,
      run_at = now(),
      lease = NULL,
      locked_by = NULL,
      locked_at = NULL,
      errors = (CASE WHEN jsonb_array_length(e.errors) >= 20 THEN e.errors - 0 ELSE e.errors END)
               || jsonb_build_array(jsonb_build_object(
                    'attempt', e.attempts, 'at', now(), 'name', 'OrchestratorLost',
                    'message', 'the process running this attempt stopped heartbeating'))
  FROM lost
  WHERE e.id = lost.id
  RETURNING e.id
)
SELECT (SELECT count(*) FROM stale)::int AS orchestrators, (SELECT count(*) FROM requeued)::int AS executions;
