import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { freePort, startEmbeddedPostgres } from '../../apps/sample/src/embedded-postgres';

/** How long the server may take to accept connections under valgrind (it runs about 50 times slower). */
const READY_TIMEOUT_MS = 180_000;
/** How long a backend may take to write its profile once its connection is closed. */
const PROFILE_TIMEOUT_MS = 120_000;

/** CallgrindServer is a PostgreSQL whose every process runs under callgrind, counting instructions. */
export interface CallgrindServer {
  /** The URL of `database` (the maintenance database by default). */
  url(database?: string): string;
  /**
   * Closes `client` and returns the instructions its backend executed over its whole life, read from the
   * profile callgrind writes when the backend exits.
   */
  instructionsOf(client: Client & { backendPid?: number }): Promise<number>;
  close(): Promise<void>;
}

/** Why this machine cannot count instructions, or undefined when it can. */
export function callgrindMissing(): string | undefined {
  if (platform() !== 'linux') return `valgrind counts instructions on Linux only (this is ${platform()})`;
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'valgrind is not installed (Debian: apt-get install valgrind)';
  return undefined;
}

/**
 * Initialises an embedded cluster in a fresh temporary directory, then starts its postmaster under
 * `valgrind --tool=callgrind --trace-children=yes`: every backend it forks is counted and writes its own
 * profile at exit. Autovacuum and timed checkpoints are off, so nothing but the measured statements runs.
 */
export async function startCallgrindServer(): Promise<CallgrindServer> {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-instructions-'));
  const port = await freePort();
  // The embedded server initialises the cluster (as the `postgres` user when run as root), then stops.
  const initialised = await startEmbeddedPostgres({ dir, port });
  await initialised.stop();
  const profiles = join(dir, 'profiles');
  mkdirSync(profiles);
  chmodSync(profiles, 0o777);
  // NOTE: the embedded package is an ES module; Node >= 20.19 loads it through require(esm).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binaries = require(`@embedded-postgres/${platform()}-${arch()}`) as { postgres: string };
  const owner = userInfo().uid === 0 ? ownerOf('postgres') : {};
  const server: ChildProcess = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--trace-children=yes',
      `--callgrind-out-file=${join(profiles, 'backend.%p')}`,
      binaries.postgres,
      '-D',
      join(dir, 'data'),
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'autovacuum=off',
      '-c',
      'checkpoint_timeout=1d',
      '-c',
      'max_wal_size=10GB',
    ],
    { ...owner, stdio: 'ignore' },
  );
  const url = (database = 'postgres'): string => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  const stop = async (): Promise<void> => {
    if (server.exitCode === null) {
      server.kill('SIGINT');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url());
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    instructionsOf: async (client) => {
      const pid = client.backendPid;
      if (pid === undefined) throw new Error('instructionsOf: open the client with connectCounted()');
      await client.end();
      return readProfile(join(profiles, `backend.${pid}`));
    },
    close: stop,
  };
}

/** Connects a client and notes its backend's pid, which names the backend's profile. */
export async function connectCounted(url: string): Promise<Client & { backendPid: number }> {
  const client = new Client({ connectionString: url }) as Client & { backendPid: number };
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  client.backendPid = rows[0].pid;
  return client;
}

function ownerOf(user: string): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`the server under valgrind did not accept connections in time: ${String(error)}`, { cause: error });
      await sleep(500);
    }
  }
}

/** The total instructions in a callgrind profile, once the exiting backend has written it. */
async function readProfile(file: string): Promise<number> {
  const deadline = Date.now() + PROFILE_TIMEOUT_MS;
  for (;;) {
    if (existsSync(file)) {
      const total = /^(?:totals|summary): (\d+)/m.exec(readFileSync(file, 'utf8'));
      if (total) return Number(total[1]);
    }
    if (Date.now() > deadline) throw new Error(`no callgrind profile at ${file}`);
    await sleep(100);
  }
}
