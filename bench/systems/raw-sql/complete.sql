-- Finished jobs leave the table, many per statement.
DELETE FROM bench_jobs WHERE id = ANY($1::bigint[])
