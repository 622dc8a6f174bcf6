-- Makes the partitions of archived_executions from now until $2 ms ahead, each $1 ms wide (migration 0006).
-- Returns how many it made, usually none.
SELECT :"schema".prepare_archive_partitions(now(), $1 * interval '1 millisecond', $2 * interval '1 millisecond') AS partitions;
