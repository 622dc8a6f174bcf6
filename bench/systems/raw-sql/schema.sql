-- The smallest durable queue: one table, a partial index over what is ready, a wake-up per insert statement.
CREATE TABLE bench_jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payload jsonb NOT NULL,
  locked_at timestamptz
);

CREATE INDEX bench_jobs_ready ON bench_jobs (id) WHERE locked_at IS NULL;

CREATE FUNCTION bench_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('bench_jobs', '');
  RETURN NULL;
END $$;

-- Once per statement, not per row: a batch of 500 wakes the worker once.
CREATE TRIGGER bench_jobs_inserted AFTER INSERT ON bench_jobs
  FOR EACH STATEMENT EXECUTE FUNCTION bench_jobs_notify();
