-- The statements of the current database by total execution time (pg_stat_statements), since the last reset.
SELECT s.calls::int AS calls, s.rows::bigint AS rows, s.total_exec_time::float8 AS total_ms,
       s.wal_bytes::float8 AS wal_bytes, s.wal_fpi::bigint AS wal_fpi, s.query
FROM pg_stat_statements AS s
JOIN pg_database AS d ON d.oid = s.dbid
WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
ORDER BY s.total_exec_time DESC
LIMIT $1
