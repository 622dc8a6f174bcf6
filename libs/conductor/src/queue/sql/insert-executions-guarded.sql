-- Enqueues a batch some of whose rows may be in already: the retry of insert-executions.sql after its
-- answer was lost. Inserts nothing twice: not while the first try's row is in the hot table (ON CONFLICT
-- also waits for a first try still in progress), nor after it finished (while finished executions are
-- retained). $1: JSON array of executions, $2: the channel.
WITH input AS (
  SELECT *
  FROM jsonb_to_recordset($1::jsonb)
    AS t(id uuid, task text, queue text, payload jsonb, priority integer, run_at timestamptz, delay_ms float8, max_attempts integer)
),
inserted AS (
  INSERT INTO :"schema".executions (id, task, queue, payload, priority, run_at, max_attempts)
  SELECT id, task, queue, payload, coalesce(priority, 0),
         coalesce(run_at, now() + coalesce(delay_ms, 0) * interval '1 millisecond'),
         max_attempts
  FROM input
  WHERE NOT EXISTS (SELECT 1 FROM :"schema".finished_executions f WHERE f.id = input.id)
  ON CONFLICT (id) DO NOTHING
  RETURNING run_at
)
SELECT count(*)::int AS inserted,
       (SELECT count(pg_notify($2, '')) FROM (SELECT 1 FROM inserted WHERE run_at <= now() LIMIT 1) AS due)::int AS notified
FROM inserted;
