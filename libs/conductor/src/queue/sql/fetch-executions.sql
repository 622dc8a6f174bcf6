-- Leases up to $3 ready executions of the tasks in $1 (and queues in $2, NULL for all) to orchestrator
-- $4. SKIP LOCKED lets concurrent fetchers take disjoint rows; each row gets a fresh lease (fencing token).
WITH picked AS (
  SELECT id
  FROM :"schema".executions
  WHERE state = 'queued'
    AND run_at <= now()
    AND task = ANY($1::text[])
    AND ($2::text[] IS NULL OR queue = ANY($2::text[]))
  ORDER BY priority DESC, run_at, id
  LIMIT $3
  FOR UPDATE SKIP LOCKED
)
UPDATE :"schema".executions AS e
SET state = 'running',
    attempts = e.attempts + 1,
    lease = nextval(:'lease_seq'),
    locked_by = $4,
    locked_at = now()
-- = ANY(ARRAY(...)) keeps the update on the primary key whatever the generic plan guesses about $3.
WHERE e.id = ANY (ARRAY(SELECT id FROM picked))
RETURNING e.id::text AS id, e.task, e.queue, e.payload, e.attempts, e.max_attempts, e.lease::text AS lease,
          extract(epoch FROM now() - e.run_at) * 1000 AS wait_ms;
