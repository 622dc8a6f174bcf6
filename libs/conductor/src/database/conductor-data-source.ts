import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dropConnections } from './drop-connections';

/** The pg pools inside TypeORM's Postgres driver (not in its public types). */
export interface PostgresDriverPools {
  master?: Pool;
  slaves: Pool[];
}

/** How long connections get to close politely at shutdown before their sockets are dropped. */
export const CLOSE_POLITELY_MS = 2_000;

/**
 * The DataSource behind every database key: TypeORM's, with a shutdown that cannot hang. pg ends a
 * connection politely and waits for the server's side of the goodbye, and a connection still being opened
 * into a dead network waits for its connect timeout: `destroy()` would wait that long, or for ever. Here,
 * what has not closed within CLOSE_POLITELY_MS is dropped.
 * NOTE: a subclass because `@nestjs/typeorm` destroys the DataSource itself at shutdown, before
 * Conductor's own hooks run.
 */
export class ConductorDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    /** The database key, named in the warning. */
    readonly key: string,
  ) {
    super(options);
  }

  override async destroy(): Promise<void> {
    const driver = this.driver as unknown as PostgresDriverPools;
    const pools = [driver.master, ...driver.slaves].filter((pool): pool is Pool => pool !== undefined);
    let failure: { error: unknown } | undefined;
    const destroyed = super.destroy().catch((error: unknown) => void (failure = { error }));
    if (!(await settlesWithin(destroyed, CLOSE_POLITELY_MS))) {
      const dropped = pools.reduce((sum, pool) => sum + dropConnections(pool), 0);
      new Logger(`Conductor:${this.key}`).warn(
        `${dropped} connection(s) did not close within ${CLOSE_POLITELY_MS} ms (no answer from the server); dropped them`,
      );
      await settlesWithin(destroyed, CLOSE_POLITELY_MS);
    }
    if (failure) throw failure.error;
  }
}

/** True when `promise` settles within `ms`; the timer never outlives the wait. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
