-- Claims up to $1 ready jobs in one statement; SKIP LOCKED lets concurrent fetchers pass each other.
UPDATE bench_jobs SET locked_at = now()
WHERE id IN (
  SELECT id FROM bench_jobs WHERE locked_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
)
RETURNING id, payload
