-- The latest applied migration. A missing table (SQLSTATE 42P01), and only that, means a fresh install.
SELECT coalesce(max(version), -1)::int AS version FROM :"schema".schema_migrations;
