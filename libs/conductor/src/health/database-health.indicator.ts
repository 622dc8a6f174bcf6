import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Database } from '../database/database';
import { DatabaseRegistry } from '../database/database-registry';
import { checkCallTimeout } from '../resilience/check-call-timeout';
import { withDeadline } from '../resilience/with-deadline';
import { assessDatabase } from './assess-database';
import type { DatabaseHealthOptions } from './database-health-options.interface';
import { pingPrimary } from './ping-primary';

const DEFAULT_TIMEOUT_MS = 1_000;
const DEFAULT_POOL_SATURATION = 0.9;

/**
 * DatabaseHealthIndicator reports one database to Terminus. Terminus knows only up and down here, so an
 * impaired database (breaker half-open, pool saturated, slow ping) is `up` with `degraded: true` and the
 * reason; unreachable, timed out or breaker open is `down`. It never throws.
 *
 * ```ts
 * this.health.check([() => this.db.check(Db.Main, { timeoutMs: 1000 })])
 * ```
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly databases: DatabaseRegistry,
  ) {}

  /** Pings the database of `key` within `timeoutMs` and reports it under `key`. */
  async check<const K extends string>(key: K, options: DatabaseHealthOptions = {}): Promise<HealthIndicatorResult<K>> {
    const indicator = this.health.check(key);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let database: Database;
    try {
      // A bad timeout would otherwise read as the database timing out.
      checkCallTimeout(timeoutMs, `DatabaseHealthIndicator.check("${key}")`);
      database = this.databases.get(key);
    } catch (error) {
      return indicator.down({ degraded: false, reason: messageOf(error) });
    }
    try {
      const stats = database.stats();
      let latencyMs: number | undefined;
      let pingError: string | undefined;
      if (stats.state === 'connected') {
        const timeout = new Error(`timeout of ${timeoutMs}ms exceeded`);
        try {
          await withDeadline(
            timeoutMs,
            undefined,
            () => timeout,
            async (signal) => {
              const started = performance.now();
              await pingPrimary(database.dataSource, signal);
              latencyMs = Math.round(performance.now() - started);
              if (database.breakerState === 'open') await probe(database, signal);
            },
          );
        } catch (error) {
          pingError = error === timeout ? timeout.message : `unreachable: ${messageOf(error)}`;
        }
      }
      const verdict = assessDatabase({
        stats,
        breaker: database.breakerState,
        latencyMs,
        pingError,
        degradedLatencyMs: options.degradedLatencyMs ?? timeoutMs / 2,
        poolSaturation: options.poolSaturation ?? DEFAULT_POOL_SATURATION,
      });
      return verdict.up ? indicator.up({ ...verdict.details }) : indicator.down({ ...verdict.details });
    } catch (error) {
      // Unexpected (a bug, or a driver throwing synchronously): still an answer, never an exception.
      return indicator.down({ degraded: false, reason: messageOf(error) });
    }
  }
}

/**
 * The database answered the ping but its breaker is open. cockatiel moves a breaker to half-open only
 * when a call arrives, so with no traffic (a load balancer that stopped routing because this check said
 * down) it would stay open forever: one call through the policy lets the breaker probe and close.
 */
async function probe(database: Database, signal: AbortSignal): Promise<void> {
  await database.query('SELECT 1', [], { route: 'primary', idempotent: true, signal }).catch(() => undefined);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
