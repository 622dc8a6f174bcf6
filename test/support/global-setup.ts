import { Client } from 'pg';
import { startEmbeddedServer } from './embedded-server';
import { TEMPLATE_DATABASE } from './test-database';

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
}
