INSERT INTO bench_jobs (payload) VALUES ($1::jsonb)
