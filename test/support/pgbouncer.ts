import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../apps/sample/src/embedded-postgres';

/** What to tell whoever runs the tests without PgBouncer. */
export const PGBOUNCER_MISSING =
  'pgbouncer is not installed, so the PgBouncer reliability test cannot run. Install it: ' +
  '`apt-get install -y pgbouncer` (Debian/Ubuntu, as root), `brew install pgbouncer` (macOS); .ci/run does it on CI.';

/** A PgBouncer run as a child process in front of one PostgreSQL server. */
export interface PgBouncer {
  port: number;
  /** A URL to `database` through PgBouncer (user and password `postgres`). */
  url(database: string): string;
  /** Stops it (SIGINT: immediate shutdown) and deletes its files. */
  stop(): Promise<void>;
}

/** The pgbouncer binary on PATH, or undefined. */
export function findPgBouncer(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `PgBouncer 1.18.0`, from `pgbouncer --version`. */
export function pgBouncerVersion(): string {
  const binary = findPgBouncer();
  if (!binary) throw new Error(PGBOUNCER_MISSING);
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
}

/**
 * Starts PgBouncer in transaction pooling mode with a generated ini in a temporary directory, proxying
 * every database of the server at `target`. PgBouncer refuses to run as root: then it is started with
 * `-u postgres` (the user embedded-postgres runs the server as) and its files are made readable to it.
 */
export async function startPgBouncer(target: { port: number }, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const binary = findPgBouncer();
  if (!binary) throw new Error(PGBOUNCER_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'conductor-pgbouncer-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const users = join(dir, 'userlist.txt');
  writeFileSync(users, '"postgres" "postgres"\n', { mode: 0o644 });
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${target.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = scram-sha-256',
      `auth_file = ${users}`,
      'pool_mode = transaction',
      // Small pools force many clients onto few server connections: session state cannot leak unseen.
      `default_pool_size = ${options.poolSize ?? 4}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits,statement_timeout',
      'server_reset_query =',
      'logfile =',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const args = userInfo().uid === 0 ? ['-u', 'postgres', ini] : [ini];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer): void => void output.push(chunk.toString('utf8'));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    await waitForPort(port, child, output);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: (database) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until PgBouncer answers a TCP connect on `port`; fails with its output if it exits first. */
async function waitForPort(port: number, child: ChildProcess, output: string[]): Promise<void> {
  const { createConnection } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with code ${child.exitCode}:\n${output.join('')}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port} within 10 s:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
