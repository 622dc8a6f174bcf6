-- Proves this process is alive. No row back means it was swept as stale: it must re-register and
-- treat its leases as lost. A non-null shutdown_requested asks it to stop (a breaking migration).
UPDATE :"schema".orchestrators
SET last_heartbeat_at = now()
WHERE id = $1
RETURNING shutdown_requested;
