-- Counts by task, queue and state, with the ready backlog and recent completions.
SELECT
  coalesce((SELECT json_agg(t) FROM (
    SELECT task, queue,
           count(*) FILTER (WHERE state = 'queued')::int AS queued,
           count(*) FILTER (WHERE state = 'running')::int AS running,
           count(*) FILTER (WHERE state = 'dead')::int AS dead
    FROM :"schema".executions GROUP BY task, queue ORDER BY task, queue) AS t), '[]') AS tasks,
  (SELECT count(*) FROM :"schema".executions WHERE state = 'queued' AND run_at <= now())::int AS ready,
  coalesce((SELECT extract(epoch FROM now() - min(run_at)) * 1000
            FROM :"schema".executions WHERE state = 'queued' AND run_at <= now()), 0)::float8 AS oldest_ready_age_ms,
  (SELECT count(*) FROM :"schema".executions WHERE state = 'dead')::int AS dead,
  (SELECT count(*) FROM :"schema".archived_executions
   WHERE state = 'completed' AND finished_at > now() - interval '1 minute')::int AS completed_last_minute;
