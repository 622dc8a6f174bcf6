-- Records a batch of completions: each leaves the hot table only if its lease is still current
-- (fencing: a lease is set only while running, migration 0002), and is kept in finished_executions
-- for the retention period.
-- $1: JSON array of { id, lease, result }. Returns the ids that were NOT applied (late: their lease
-- is gone), usually none, so the answer to a batch of a thousand stays empty.
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, lease bigint, result jsonb)
),
done AS (
  DELETE FROM :"schema".executions AS e
  USING input
  WHERE e.id = ANY (ARRAY(SELECT id FROM input)) AND e.id = input.id AND e.lease = input.lease
  RETURNING e.*, input.result
),
archived AS (
  INSERT INTO :"schema".finished_executions
    (id, task, queue, state, payload, result, priority, attempts, max_attempts, errors, run_at, created_at)
  SELECT id, task, queue, 'completed', payload, result, priority, attempts, max_attempts, errors, run_at, created_at
  FROM done
)
SELECT i.id::text AS id FROM input AS i WHERE NOT EXISTS (SELECT 1 FROM done WHERE done.id = i.id);
