-- Enqueues a batch in one round trip. $1: a JSON array of executions whose ids the client generated,
-- $2: the channel. A plain INSERT: ON CONFLICT's speculative insertion cost a third of the statement
-- per row, measured, and fresh ids cannot conflict. A retry after a lost acknowledgement can: while
-- the first try's rows are in the hot table the primary key refuses it (23505) and the producer runs
-- insert-executions-guarded.sql instead; once they finished, the check below skips them (while
-- finished executions are retained).
WITH input AS (
  SELECT *
  FROM jsonb_to_recordset($1::jsonb)
    AS t(id uuid, task text, queue text, payload jsonb, priority integer, run_at timestamptz, delay_ms float8, max_attempts integer)
),
inserted AS (
  INSERT INTO :"schema".executions (id, task, queue, payload, priority, run_at, max_attempts)
  SELECT id, task, queue, payload, priority,
         coalesce(run_at, now() + coalesce(delay_ms, 0) * interval '1 millisecond'),
         max_attempts
  FROM input
  WHERE NOT EXISTS (SELECT 1 FROM :"schema".finished_executions f WHERE f.id = input.id)
  RETURNING run_at
)
SELECT count(*)::int AS inserted,
       (SELECT count(pg_notify($2, '')) FROM (SELECT 1 FROM inserted WHERE run_at <= now() LIMIT 1) AS due)::int AS notified
FROM inserted;
