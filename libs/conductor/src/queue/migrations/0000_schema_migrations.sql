-- The migration ledger: which migrations ran, when, and whether they were breaking.
CREATE SCHEMA IF NOT EXISTS :"schema";

CREATE TABLE :"schema".schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  breaking   boolean NOT NULL DEFAULT false
);
