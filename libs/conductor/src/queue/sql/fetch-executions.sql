-- Leases up to $3 ready executions of the tasks in $1 (and queues in $2, NULL for all) to orchestrator
-- $4: see fetch_executions in the 0001 migration (SKIP LOCKED, a fresh lease per row, index order).
-- Only the columns the worker reads: each one more is a field per row that pg parses in Node.
SELECT id, task, queue, payload, attempts, lease, wait_ms FROM :"schema".fetch_executions($1, $2, $3, $4);
