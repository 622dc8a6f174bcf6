INSERT INTO bench_jobs (payload) SELECT unnest($1::jsonb[])
