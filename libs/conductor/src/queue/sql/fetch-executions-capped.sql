-- Like fetch-executions.sql, for when some tasks have a per-task concurrency limit: tasks in $1 are
-- fetched together up to $3; each task in $5 separately, up to its own cap in $6; then the best $3 win.
WITH uncapped AS (
  SELECT id, priority, run_at
  FROM :"schema".executions
  WHERE state = 'queued'
    AND run_at <= now()
    AND task = ANY($1::text[])
    AND ($2::text[] IS NULL OR queue = ANY($2::text[]))
  ORDER BY priority DESC, run_at, id
  LIMIT $3
  FOR UPDATE SKIP LOCKED
),
capped AS (
  SELECT c.id, c.priority, c.run_at
  FROM unnest($5::text[], $6::int[]) AS caps(task, cap)
  CROSS JOIN LATERAL (
    SELECT id, priority, run_at
    FROM :"schema".executions
    WHERE state = 'queued'
      AND run_at <= now()
      AND task = caps.task
      AND ($2::text[] IS NULL OR queue = ANY($2::text[]))
    ORDER BY priority DESC, run_at, id
    LIMIT caps.cap
    FOR UPDATE SKIP LOCKED
  ) AS c
),
picked AS (
  SELECT id FROM (SELECT * FROM uncapped UNION ALL SELECT * FROM capped) AS candidates
  ORDER BY priority DESC, run_at, id
  LIMIT $3
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
