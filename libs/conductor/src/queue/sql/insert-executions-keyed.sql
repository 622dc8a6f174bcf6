-- Enqueues a batch where some items carry an idempotency key. The key table's unique index decides
-- races (never read-then-write): ON CONFLICT DO UPDATE returns the existing row's execution even when
-- it was committed after this statement's snapshot, and `xmax = 0` tells a key claimed now from one
-- that existed: only a key claimed now enqueues. An execution already finished (a retried call whose
-- first try committed) is not enqueued again, nor one whose first try is in the hot table (ON CONFLICT
-- also waits for a first try still in progress): without keys, this is the retry of insert-executions.sql
-- after its answer was lost. The hot-table check in the snapshot is not redundant with ON CONFLICT: a
-- first try being completed meanwhile is seen live there, while ON CONFLICT, having waited for that
-- completion, finds no row and the snapshot no archived one (it was enqueued again, and ran twice).
-- $1: JSON array of executions, $2: channel, $3, $4, $5: the task, queue and max_attempts of the items
-- that leave them out (as in insert-executions.sql).
WITH input AS (
  SELECT t.id, coalesce(t.task, $3::text) AS task, coalesce(t.queue, $4::text) AS queue, t.payload, t.priority,
         t.run_at, t.delay_ms, coalesce(t.max_attempts, $5::integer) AS max_attempts, t.idempotency_key
  FROM jsonb_to_recordset($1::jsonb)
    AS t(id uuid, task text, queue text, payload jsonb, priority integer, run_at timestamptz, delay_ms float8,
         max_attempts integer, idempotency_key text)
),
claimed AS (
  INSERT INTO :"schema".idempotency_keys AS k (task, key, execution_id)
  SELECT task, idempotency_key, id FROM input WHERE idempotency_key IS NOT NULL
  ON CONFLICT (task, key) DO UPDATE SET task = k.task
  RETURNING k.task, k.key, k.execution_id, (k.xmax = 0) AS claimed_now
),
inserted AS (
  INSERT INTO :"schema".executions (id, task, queue, payload, priority, run_at, max_attempts)
  SELECT i.id, i.task, i.queue, i.payload, coalesce(i.priority, 0),
         coalesce(i.run_at, now() + coalesce(i.delay_ms, 0) * interval '1 millisecond'),
         i.max_attempts
  FROM input i
  WHERE (i.idempotency_key IS NULL
         OR EXISTS (SELECT 1 FROM claimed c WHERE c.task = i.task AND c.key = i.idempotency_key AND c.claimed_now))
    AND NOT EXISTS (SELECT 1 FROM :"schema".executions x WHERE x.id = i.id)
    AND NOT EXISTS (SELECT 1 FROM :"schema".archived_executions f WHERE f.id = i.id)
  ON CONFLICT (id) DO NOTHING
  RETURNING run_at
),
notified AS (
  SELECT count(pg_notify($2, '')) AS n FROM (SELECT 1 FROM inserted WHERE run_at <= now() LIMIT 1) AS due
)
SELECT c.task, c.key, c.execution_id::text AS execution_id, (SELECT n FROM notified)::int AS notified
FROM claimed c
UNION ALL
SELECT NULL, NULL, NULL, (SELECT n FROM notified)::int
WHERE NOT EXISTS (SELECT 1 FROM claimed);
