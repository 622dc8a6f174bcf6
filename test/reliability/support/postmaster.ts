import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { EmbeddedServer } from '../../support/embedded-server';

/** The pid of the running postmaster, from the first line of `postmaster.pid`. */
export function postmasterPid(server: EmbeddedServer): number {
  return Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** SIGKILLs the postmaster (no shutdown, no checkpoint: a crash) and waits until it is gone. */
export async function killPostmaster(server: EmbeddedServer): Promise<number> {
  const pid = postmasterPid(server);
  process.kill(pid, 'SIGKILL');
  for (let waited = 0; alive(pid); waited += 20) {
    if (waited > 10_000) throw new Error(`postmaster ${pid} still alive 10 s after SIGKILL`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return pid;
}

/**
 * Starts the server again on the same data directory (crash recovery replays the WAL). Orphaned
 * backends of the killed postmaster may hold its shared memory for a moment, so start is retried.
 */
export async function restartServer(server: EmbeddedServer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      return;
    } catch (error) {
      if (attempt >= 20)
        throw new Error(`the server did not restart after ${attempt} attempts: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Resolves with the time the server first accepts a connection and answers a query. */
export async function acceptingAt(url: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return Date.now();
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`the server did not accept connections within ${timeoutMs} ms: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
