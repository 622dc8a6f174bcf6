import { join } from 'node:path';
import { Client } from 'pg';
import { envPrefix } from '@conductor/nestjs';
import { Db } from './database-keys';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

const DATA_DIR = join(process.cwd(), '.data', 'postgres');
const DEFAULT_PORT = 54329;

/**
 * Makes sure every key has a `CONDUCTOR_<KEY>_URL`. Keys already set in the environment use those
 * servers; when none is set, an embedded PostgreSQL (data kept in `.data/postgres`) serves one database
 * per key. Returns the embedded server, if one was started, so the caller can stop it.
 */
export async function provideLocalDatabases(env: NodeJS.ProcessEnv = process.env): Promise<EmbeddedPostgres | undefined> {
  const missing = Object.values(Db).filter((key) => !env[`${envPrefix(key)}URL`]);
  if (missing.length === 0) return undefined;
  const port = env.EMBEDDED_PG_PORT ? Number(env.EMBEDDED_PG_PORT) : DEFAULT_PORT;
  const server = await startEmbeddedPostgres({ dir: DATA_DIR, port });
  const admin = new Client({ connectionString: server.url() });
  await admin.connect();
  try {
    for (const key of missing) {
      const name = `conductor_${key}`;
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
      env[`${envPrefix(key)}URL`] = server.url(name);
    }
  } finally {
    await admin.end();
  }
  return server;
}
