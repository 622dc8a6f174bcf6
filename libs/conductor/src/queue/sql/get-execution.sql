-- Reads one execution, from the hot table or from the finished ones.
SELECT id::text AS id, task, queue, state, payload, NULL::jsonb AS result, priority, attempts, max_attempts,
       errors, run_at, created_at, NULL::timestamptz AS finished_at
FROM :"schema".executions WHERE id = $1
UNION ALL
SELECT id::text, task, queue, state, payload, result, priority, attempts, max_attempts,
       errors, run_at, created_at, finished_at
FROM :"schema".archived_executions WHERE id = $1
LIMIT 1;
