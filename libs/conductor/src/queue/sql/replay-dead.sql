-- Requeues dead executions matching the filter ($1 ids, $2 task, $3 queue; NULL matches all) with a
-- fresh set of attempts; the error history is kept. Returns how many were requeued.
WITH replayed AS (
  UPDATE :"schema".executions
  SET state = 'queued', attempts = 0, run_at = now()
  WHERE state = 'dead'
    AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))
    AND ($2::text IS NULL OR task = $2)
    AND ($3::text IS NULL OR queue = $3)
  RETURNING 1
)
SELECT count(*)::int AS replayed,
       (SELECT count(pg_notify($4, '')) FROM (SELECT 1 FROM replayed LIMIT 1) AS any_row)::int AS notified
FROM replayed;
