-- Like fetch-executions.sql, with per-task caps: tasks in $1 share the limit $3, each task in $5 is
-- fetched up to its own cap in $6. See fetch_ranked_executions_capped in the 0004 migration.
SELECT id, task, queue, payload, attempts, lease, wait_ms, priority
FROM :"schema".fetch_ranked_executions_capped($1, $2, $3, $4, $5, $6);
