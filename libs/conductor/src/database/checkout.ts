import type { Pool, PoolClient } from 'pg';
import { raceAbort } from '../resilience/abortable';

/**
 * Takes a connection from `pool`, or rejects as soon as `signal` aborts; a connection that arrives after
 * that is handed straight back. With an idle connection in the pool the checkout cannot hang, so it is
 * not raced at all (the common case, kept cheap).
 */
export function checkout(pool: Pool, signal: AbortSignal): Promise<PoolClient> {
  if (pool.idleCount > 0) return pool.connect();
  return raceAbort(
    pool.connect(),
    signal,
    (late) =>
      void late.then(
        (client) => client.release(),
        () => undefined,
      ),
  );
}
