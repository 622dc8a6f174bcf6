import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The database every test database is cloned from. */
export const TEMPLATE_DATABASE = 'conductor_template';

/** The URL of the run's server, database `postgres`. */
export function adminUrl(): string {
  const url = process.env.CONDUCTOR_TEST_PG_URL;
  if (!url) throw new Error('CONDUCTOR_TEST_PG_URL is not set: run the tests through jest (global-setup starts the server)');
  return url;
}

/** The URL of `database` on the run's server. */
export function urlOf(database: string, base = adminUrl()): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `fn` with a client on the admin database, then closes it. */
export async function withAdmin<T>(fn: (client: Client) => Promise<T>, base = adminUrl()): Promise<T> {
  const client = new Client({ connectionString: base });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database of its own for a test or a describe block. */
export interface TestDatabase {
  name: string;
  url: string;
}

/** Creates a fresh database cloned from the template; returns its name and URL. */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`));
  return { name, url: urlOf(name) };
}

/** Drops a test database, closing whatever sessions are left on it. */
export async function dropTestDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
