import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../apps/sample/src/embedded-postgres';

/** BenchServer is the one PostgreSQL of a run, handing out a fresh database per measurement. */
export interface BenchServer {
  embedded: boolean;
  /** The embedded server's data directory (its postmaster.pid names the server); unset with BENCH_PG_URL. */
  dataDir?: string;
  /** The URL of the maintenance database, for settings and versions. */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts an embedded server in a fresh temporary directory (with `flags` for the postgres command), or
 * uses `serverUrl` when given.
 */
export async function openBenchServer(serverUrl: string | undefined, flags: string[] = []): Promise<BenchServer> {
  if (serverUrl) return connect(serverUrl, undefined, async () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'conductor-bench-'));
  const server = await startEmbeddedPostgres({ dir, flags });
  // startEmbeddedPostgres keeps the cluster in <dir>/data.
  return connect(server.url(), join(dir, 'data'), async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
}

async function connect(adminUrl: string, dataDir: string | undefined, shutdown: () => Promise<void>): Promise<BenchServer> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const urlOf = (name: string): string => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    embedded: dataDir !== undefined,
    dataDir,
    adminUrl,
    createDatabase: async (name) => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      return urlOf(name);
    },
    dropDatabase: async (name) => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    close: async () => {
      await admin.end();
      await shutdown();
    },
  };
}
