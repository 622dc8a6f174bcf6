-- Enqueues one execution already leased to this process, whose idle worker starts it at once: a single
-- invoke's local start (producer.ts, local-start.ts). The row is what a fetch would have made of it
-- (running, first attempt, a fresh lease, locked by this orchestrator), so fencing, the sweep after a
-- crash and the hand-back at shutdown treat it like any leased execution. No notification: no other
-- worker has anything to fetch. $1: id, $2: task, $3: queue, $4: payload (JSON text), $5: max_attempts,
-- $6: this orchestrator. Returns the lease and the payload as stored, as a fetch returns them.
INSERT INTO :"schema".executions (id, task, queue, payload, max_attempts, state, attempts, lease, locked_by, locked_at)
VALUES ($1::uuid, $2::text, $3::text, $4::jsonb, $5::integer, 'running', 1, nextval(:'lease_seq'), $6::uuid, now())
RETURNING lease::text AS lease, payload;
