import type { Pool } from 'pg';

/** The parts of pg's pool and client that hold the sockets (not in pg's types). */
interface PoolInternals {
  _clients?: { connection?: { stream?: { destroy(): void } } }[];
}

/**
 * Destroys the socket of every connection `pool` holds, idle or busy; returns how many. pg ends an idle
 * connection politely (Terminate, then it waits for the server to close the socket), so `pool.end()`
 * never settles when the server or the network stopped answering: a dropped socket ends at once.
 */
export function dropConnections(pool: Pool): number {
  const clients = (pool as unknown as PoolInternals)._clients ?? [];
  let dropped = 0;
  for (const client of clients) {
    const stream = client.connection?.stream;
    if (!stream) continue;
    stream.destroy();
    dropped++;
  }
  return dropped;
}
