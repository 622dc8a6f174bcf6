-- Cancels one execution that has not finished: it leaves the hot table (kept as cancelled when
-- finished executions are retained, $3). A running attempt's completion will then be rejected.
-- $2: the notification channel, told so the process running it aborts its signal.
WITH gone AS (
  DELETE FROM :"schema".executions WHERE id = $1 RETURNING *
),
archived AS (
  INSERT INTO :"schema".archived_executions
    (id, task, queue, state, payload, result, priority, attempts, max_attempts, errors, run_at, created_at)
  SELECT id, task, queue, 'cancelled', payload, NULL, priority, attempts, max_attempts, errors, run_at, created_at
  FROM gone
  WHERE $3::boolean
)
SELECT gone.state AS previous_state,
       CASE WHEN gone.state = 'running' THEN pg_notify($2, 'cancel:' || gone.id::text) END AS notified
FROM gone;
