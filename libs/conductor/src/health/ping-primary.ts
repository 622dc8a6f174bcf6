import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { raceAbort } from '../resilience/abortable';
import { checkout } from '../database/checkout';

/**
 * Runs `SELECT 1` on the primary pool of `dataSource`, straight on the pool: no retry, no breaker and no
 * bulkhead, so the check answers fast and never counts against the breaker. When `signal` aborts, a
 * connection that arrives late is handed back and a statement still running has its connection destroyed.
 */
export async function pingPrimary(dataSource: DataSource, signal: AbortSignal): Promise<void> {
  // NOTE: TypeORM's postgres driver keeps its pg pools as `master` and `slaves`; the connector reads them the same way.
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('not connected');
  const client: PoolClient = await checkout(pool, signal);
  let released = false;
  try {
    await raceAbort(client.query('SELECT 1'), signal, (late) => {
      late.catch(() => undefined);
      released = true;
      client.release(new Error('health check ping timed out'));
    });
  } catch (error) {
    if (!released) client.release(error instanceof Error ? error : new Error(String(error)));
    released = true;
    throw error;
  } finally {
    if (!released) client.release();
  }
}
