-- Asks orchestrators running an older schema version than $1 to shut down gracefully (a breaking
-- migration is about to run), and returns how many live ones are still registered.
UPDATE :"schema".orchestrators
SET shutdown_requested = $2
WHERE schema_version < $1 AND id <> $3 AND last_heartbeat_at >= now() - $4 * interval '1 millisecond'
RETURNING id::text AS id;
