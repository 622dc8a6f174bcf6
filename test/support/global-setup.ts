import { Client } from 'pg';
import { startEmbeddedServer } from './embedded-server';
import { readMigrations } from '../../libs/conductor/src/queue/migrations/migration-files';
import { bindSchema } from '../../libs/conductor/src/queue/sql/sql-catalog';
import { TEMPLATE_DATABASE, urlOf } from './test-database';
import { CHILD_BUILD_DIR_ENV, buildChildScripts } from './child-build';

/**
 * Starts one embedded PostgreSQL for the whole run (or uses CONDUCTOR_TEST_PG_URL) and prepares the
 * template database that every test file clones.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.CONDUCTOR_TEST_PG_URL;
  if (!adminUrl) {
    // Test data is thrown away: durability settings off make the run faster, nothing else changes.
    const server = await startEmbeddedServer({
      flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    });
    (globalThis as { conductorTestServer?: unknown }).conductorTestServer = server;
    adminUrl = server.url();
    process.env.CONDUCTOR_TEST_PG_URL = adminUrl;
  }
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await client.end();
  }
  // The template carries the queue's schema, migrated once, so each test file starts from a clone.
  const template = new Client({ connectionString: urlOf(TEMPLATE_DATABASE, adminUrl) });
  await template.connect();
  try {
    for (const migration of readMigrations()) {
      await template.query('BEGIN');
      await template.query(bindSchema(migration.sql, 'conductor'));
      await template.query('INSERT INTO conductor.schema_migrations (version, name, breaking) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.breaking,
      ]);
      await template.query('COMMIT');
    }
  } finally {
    await template.end();
  }
  // Crash tests run workers in separate Node processes, which cannot use jest's TypeScript transform.
  process.env[CHILD_BUILD_DIR_ENV] = buildChildScripts();
}
