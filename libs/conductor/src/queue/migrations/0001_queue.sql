-- The queue: orchestrators (one row per live process), executions (the hot table: queued, running,
-- dead), finished executions (completed or cancelled, kept for the retention period) and idempotency keys.

CREATE TABLE :"schema".orchestrators (
  id                 uuid PRIMARY KEY,
  hostname           text NOT NULL,
  pid                integer NOT NULL,
  schema_version     integer NOT NULL,
  started_at         timestamptz NOT NULL DEFAULT now(),
  last_heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  -- Set by a breaking migration: orchestrators of older versions read it at their heartbeat and stop.
  shutdown_requested text
);

-- Fencing tokens: every fetch hands each execution a new lease, so a late completion can be told apart.
CREATE SEQUENCE :"schema".lease_seq CACHE 64;

CREATE TABLE :"schema".executions (
  id           uuid PRIMARY KEY,
  task         text NOT NULL,
  queue        text NOT NULL,
  state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'dead')),
  payload      jsonb NOT NULL,
  priority     integer NOT NULL DEFAULT 0,
  run_at       timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL CHECK (max_attempts >= 1),
  lease        bigint,
  locked_by    uuid,
  locked_at    timestamptz,
  errors       jsonb NOT NULL DEFAULT '[]',
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- The fetch walks this index in order; only ready rows are in it, so it stays small.
CREATE INDEX executions_ready ON :"schema".executions (priority DESC, run_at, id) WHERE state = 'queued';
-- The sweep finds a lost orchestrator's leases without scanning the backlog.
CREATE INDEX executions_running ON :"schema".executions (locked_by) WHERE state = 'running';
CREATE INDEX executions_dead ON :"schema".executions (task, queue) WHERE state = 'dead';

CREATE TABLE :"schema".finished_executions (
  id           uuid PRIMARY KEY,
  task         text NOT NULL,
  queue        text NOT NULL,
  state        text NOT NULL CHECK (state IN ('completed', 'cancelled')),
  payload      jsonb NOT NULL,
  result       jsonb,
  priority     integer NOT NULL,
  attempts     integer NOT NULL,
  max_attempts integer NOT NULL,
  errors       jsonb NOT NULL,
  run_at       timestamptz NOT NULL,
  created_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL DEFAULT now()
);
-- Rows arrive in finished_at order: a BRIN index costs next to nothing to keep and serves the
-- retention sweep and "completed in the last minute".
CREATE INDEX finished_executions_finished_at ON :"schema".finished_executions USING brin (finished_at);

CREATE TABLE :"schema".idempotency_keys (
  task         text NOT NULL,
  key          text NOT NULL,
  execution_id uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (task, key)
);
CREATE INDEX idempotency_keys_created_at ON :"schema".idempotency_keys USING brin (created_at);
