-- The ready index loses its last column, the id. Every enqueued row adds an entry to this index; with
-- the id, its key was 28 bytes (priority, run_at, a uuid) and each insert compared uuids on the way down.
-- Without it the key is 12 bytes, and the rows of one statement, which share priority and run_at (now()),
-- have equal keys that deduplication stores as one posting list. `npm run bench:instructions`
-- (PostgreSQL 18.4): an enqueued row 34,270 instructions before, 32,439 after; a fetched row 58,479 before,
-- 58,196 after.
--
-- What changes for users: executions of equal priority and due time have no promised order among
-- themselves. The index keeps equal keys in the order of the rows' addresses, which is the order they
-- were stored in unless a row went to space freed by earlier deletes.
--
-- Not breaking: the fetch functions of the previous version keep their signatures and result types
-- (they call the new ones, below), and no statement names the index. Building the index reads the
-- queued rows once while writes wait: about 1 s for 2 million queued rows (measured; 13 MB, where the
-- index it replaces took 2 to 3 s to build and 95 MB).
CREATE INDEX executions_ready_by_time ON :"schema".executions (priority DESC, run_at) WHERE state = 'queued';
DROP INDEX :"schema".executions_ready;
ALTER INDEX :"schema".executions_ready_by_time RENAME TO executions_ready;

-- The fetch as two new functions, which pick by the index's columns alone (the walk of the index gives
-- that order as it is, where a tiebreak on the id would sort every run of equal keys) and return each
-- row's priority. The update returns the rows it leased in the order of their addresses, not in the
-- order they were picked, and the worker used to start them as they came: a worker with one slot and a
-- buffer ran a batch stored most urgent last, most urgent last. Sorting here would copy every row, its
-- payload included, through a CTE (58,196 instructions a fetched row unsorted, 63,577 sorted, counted);
-- the worker sorts the rows by priority and wait instead (queue/start-order.ts). Both functions spell out
-- the same update: moved into a function of its own that both call, it cost every fetched row another
-- copy through that function's result (58,674 instructions a fetched row against 64,540, counted).
CREATE FUNCTION :"schema".fetch_ranked_executions(p_tasks text[], p_queues text[], p_limit integer, p_orchestrator uuid)
RETURNS TABLE (
  id text, task text, queue text, payload jsonb, attempts integer, max_attempts integer, lease text, wait_ms float8, priority integer)
LANGUAGE sql VOLATILE
SET enable_sort = off
AS $fetch$
  WITH picked AS (
    SELECT ctid
    FROM :"schema".executions
    WHERE state = 'queued'
      AND run_at <= now()
      AND task = ANY(p_tasks::text[])
      AND (p_queues::text[] IS NULL OR queue = ANY(p_queues::text[]))
    ORDER BY priority DESC, run_at
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
  )
  UPDATE :"schema".executions AS e
  SET state = 'running',
      attempts = e.attempts + 1,
      lease = nextval(:'lease_seq'),
      locked_by = p_orchestrator,
      locked_at = now()
  -- By the locked version's address: no second descent of the primary key per row. = ANY(ARRAY(...)) keeps
  -- the update a TID scan whatever the generic plan guesses about p_limit.
  WHERE e.ctid = ANY (ARRAY(SELECT ctid FROM picked))
  RETURNING e.id::text AS id, e.task, e.queue, e.payload, e.attempts, e.max_attempts, e.lease::text AS lease,
            date_part('epoch', now() - e.run_at) * 1000 AS wait_ms, e.priority
$fetch$;

CREATE FUNCTION :"schema".fetch_ranked_executions_capped(
  p_tasks text[], p_queues text[], p_limit integer, p_orchestrator uuid, p_capped_tasks text[], p_caps integer[])
RETURNS TABLE (
  id text, task text, queue text, payload jsonb, attempts integer, max_attempts integer, lease text, wait_ms float8, priority integer)
LANGUAGE sql VOLATILE
SET enable_sort = off
AS $fetch$
  WITH uncapped AS (
    SELECT ctid, id, priority, run_at
    FROM :"schema".executions
    WHERE state = 'queued'
      AND run_at <= now()
      AND task = ANY(p_tasks::text[])
      AND (p_queues::text[] IS NULL OR queue = ANY(p_queues::text[]))
    ORDER BY priority DESC, run_at
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
  ),
  capped AS (
    SELECT c.ctid, c.id, c.priority, c.run_at
    FROM unnest(p_capped_tasks::text[], p_caps::int[]) AS caps(task, cap)
    CROSS JOIN LATERAL (
      SELECT ctid, id, priority, run_at
      FROM :"schema".executions
      WHERE state = 'queued'
        AND run_at <= now()
        AND task = caps.task
        AND (p_queues::text[] IS NULL OR queue = ANY(p_queues::text[]))
      ORDER BY priority DESC, run_at
      LIMIT caps.cap
      FOR UPDATE SKIP LOCKED
    ) AS c
  ),
  picked AS (
    SELECT ctid FROM (SELECT * FROM uncapped UNION ALL SELECT * FROM capped) AS candidates
    -- The id still breaks ties here, between the two sets, after each was picked by the index: the
    -- earlier-made candidates win the cut at p_limit, not whichever the sort happens to put first.
    ORDER BY priority DESC, run_at, id
    LIMIT p_limit
  )
  UPDATE :"schema".executions AS e
  SET state = 'running',
      attempts = e.attempts + 1,
      lease = nextval(:'lease_seq'),
      locked_by = p_orchestrator,
      locked_at = now()
  -- By the locked version's address: no second descent of the primary key per row. = ANY(ARRAY(...)) keeps
  -- the update a TID scan whatever the generic plan guesses about p_limit.
  WHERE e.ctid = ANY (ARRAY(SELECT ctid FROM picked))
  RETURNING e.id::text AS id, e.task, e.queue, e.payload, e.attempts, e.max_attempts, e.lease::text AS lease,
            date_part('epoch', now() - e.run_at) * 1000 AS wait_ms, e.priority
$fetch$;

-- The functions the statements of the previous version call, with their signatures and result types, so
-- that an orchestrator of that version keeps working until it stops.
CREATE OR REPLACE FUNCTION :"schema".fetch_executions(p_tasks text[], p_queues text[], p_limit integer, p_orchestrator uuid)
RETURNS TABLE (id text, task text, queue text, payload jsonb, attempts integer, max_attempts integer, lease text, wait_ms float8)
LANGUAGE sql VOLATILE
AS $fetch$
  SELECT f.id, f.task, f.queue, f.payload, f.attempts, f.max_attempts, f.lease, f.wait_ms
  FROM :"schema".fetch_ranked_executions(p_tasks, p_queues, p_limit, p_orchestrator) AS f
$fetch$;

CREATE OR REPLACE FUNCTION :"schema".fetch_executions_capped(
  p_tasks text[], p_queues text[], p_limit integer, p_orchestrator uuid, p_capped_tasks text[], p_caps integer[])
RETURNS TABLE (id text, task text, queue text, payload jsonb, attempts integer, max_attempts integer, lease text, wait_ms float8)
LANGUAGE sql VOLATILE
AS $fetch$
  SELECT f.id, f.task, f.queue, f.payload, f.attempts, f.max_attempts, f.lease, f.wait_ms
  FROM :"schema".fetch_ranked_executions_capped(p_tasks, p_queues, p_limit, p_orchestrator, p_capped_tasks, p_caps) AS f
$fetch$;
