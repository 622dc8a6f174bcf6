-- Registers this process before any worker fetches, so its leases can always be traced to it.
INSERT INTO :"schema".orchestrators (id, hostname, pid, schema_version)
VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET last_heartbeat_at = now(), schema_version = EXCLUDED.schema_version;
