-- Removes this process at the end of a graceful shutdown, after its leases were handed back.
DELETE FROM :"schema".orchestrators WHERE id = $1;
