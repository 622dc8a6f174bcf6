-- Leases up to $3 ready executions of the tasks in $1 (and queues in $2, NULL for all) to orchestrator
-- $4: see fetch_ranked_executions in the 0004 migration (SKIP LOCKED, a fresh lease per row, picked by
-- priority, then due time). The rows come back in the order of their addresses, with the priority that
-- the worker sorts them by (start-order.ts). Only the columns the worker reads: each one more is a field
-- per row that pg parses in Node.
SELECT id, task, queue, payload, attempts, lease, wait_ms, priority FROM :"schema".fetch_ranked_executions($1, $2, $3, $4);
