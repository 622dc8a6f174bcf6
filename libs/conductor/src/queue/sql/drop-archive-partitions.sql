-- Drops the partitions of archived_executions that ended more than $1 ms ago (migration 0006). Returns how
-- many it dropped: none while statements hold the table for longer than the function waits.
SELECT :"schema".drop_archive_partitions(now() - $1 * interval '1 millisecond') AS partitions;
