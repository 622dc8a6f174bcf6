SELECT count(*)::int AS n FROM bench_jobs
