-- Enqueues a batch in one round trip. $1: a JSON array of executions whose ids the client generated
-- (keys left out read as NULL: priority 0, run at once; task, queue and max_attempts as $3, $4 and $5,
-- which most items share), $2: the channel. No conflict handling and no
-- check against finished executions: fresh ids cannot clash, and both cost a third of the statement
-- per row, measured. The producer runs it without retries once it may have reached the server; when
-- its answer is lost it runs insert-executions-keyed.sql instead, which skips what is already in.
WITH input AS (
  SELECT *
  FROM jsonb_to_recordset($1::jsonb)
    AS t(id uuid, task text, queue text, payload jsonb, priority integer, run_at timestamptz, delay_ms float8, max_attempts integer)
),
inserted AS (
  INSERT INTO :"schema".executions (id, task, queue, payload, priority, run_at, max_attempts)
  SELECT id, coalesce(task, $3::text), coalesce(queue, $4::text), payload, coalesce(priority, 0),
         coalesce(run_at, now() + coalesce(delay_ms, 0) * interval '1 millisecond'),
         coalesce(max_attempts, $5::integer)
  FROM input
  RETURNING run_at
)
SELECT count(*)::int AS inserted,
       (SELECT count(pg_notify($2, '')) FROM (SELECT 1 FROM inserted WHERE run_at <= now() LIMIT 1) AS due)::int AS notified
FROM inserted;
