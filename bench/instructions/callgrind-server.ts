import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, startEmbeddedPostgres } from '../../apps/sample/src/embedded-postgres';
import { waitUntil } from '../support/wait-until';

/** How long the server may take to accept connections under valgrind (it runs about 50 times slower). */
const READY_TIMEOUT_MS = 180_000;
/** How long a backend may take to write its profile once its connection is closed. */
const PROFILE_TIMEOUT_MS = 120_000;
/** How long the server may take to shut down before it is killed. */
const STOP_TIMEOUT_MS = 60_000;

/** A client whose backend's pid is known: the pid names the profile callgrind writes for it. */
export type CountedClient = Client & { backendPid: number };

/** CallgrindServer is a PostgreSQL whose every process runs under callgrind, counting instructions. */
export interface CallgrindServer {
  /** The URL of `database` (the maintenance database by default). */
  url(database?: string): string;
  /**
   * Closes `client` and returns the instructions its backend executed over its whole life, read from the
   * profile callgrind writes when the backend exits.
   */
  instructionsOf(client: CountedClient): Promise<number>;
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
  const exited = new Promise((resolve) => server.once('exit', resolve));
  let spawnError: Error | undefined;
  server.once('error', (error) => (spawnError = error));
  /** Why the server's process is gone, or undefined while it runs. */
  const ended = (): string | undefined => {
    if (spawnError) return `valgrind could not be started: ${spawnError.message}`;
    if (server.exitCode !== null || server.signalCode !== null) return `it exited (${server.exitCode ?? server.signalCode})`;
    return undefined;
  };
  const stop = async (): Promise<void> => {
    if (!ended()) {
      server.kill('SIGINT');
      const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url(), ended);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    instructionsOf: async (client) => {
      await client.end();
      return readProfile(join(profiles, `backend.${client.backendPid}`));
    },
    close: stop,
  };
}

/** Connects a client and notes its backend's pid, which names the backend's profile. */
export async function connectCounted(url: string): Promise<CountedClient> {
  const client = new Client({ connectionString: url }) as CountedClient;
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  client.backendPid = rows[0].pid;
  return client;
}

function ownerOf(user: string): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Waits until the server accepts a connection; fails at once when its process has ended. */
async function waitReady(url: string, ended: () => string | undefined): Promise<void> {
  let lastError: unknown;
  const ready = await waitUntil(
    async () => {
      const reason = ended();
      if (reason) throw new Error(`the server under valgrind stopped before it accepted connections: ${reason}`);
      const client = new Client({ connectionString: url });
      try {
        await client.connect();
        return true;
      } catch (error) {
        lastError = error;
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    performance.now() + READY_TIMEOUT_MS,
    500,
  );
  if (!ready)
    throw new Error(`the server under valgrind did not accept connections within ${READY_TIMEOUT_MS} ms: ${String(lastError)}`, {
      cause: lastError,
    });
}

/** The total instructions in a callgrind profile, once the exiting backend has written it. */
async function readProfile(file: string): Promise<number> {
  let total: number | undefined;
  const written = await waitUntil(
    () => {
      const match = existsSync(file) ? /^(?:totals|summary): (\d+)/m.exec(readFileSync(file, 'utf8')) : null;
      total = match ? Number(match[1]) : undefined;
      return total !== undefined;
    },
    performance.now() + PROFILE_TIMEOUT_MS,
    100,
  );
  if (!written || total === undefined) throw new Error(`no callgrind profile at ${file} within ${PROFILE_TIMEOUT_MS} ms`);
  return total;
}
