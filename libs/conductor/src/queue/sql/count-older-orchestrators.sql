-- Live orchestrators of an older schema version than $1 (other than $2), still draining.
SELECT count(*)::int AS remaining
FROM :"schema".orchestrators
WHERE schema_version < $1 AND id <> $2 AND last_heartbeat_at >= now() - $3 * interval '1 millisecond';
