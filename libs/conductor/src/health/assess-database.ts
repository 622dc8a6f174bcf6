import type { DatabaseStats } from '../database/database-stats.interface';
import type { BreakerState } from '../resilience/resilience-events';
import type { DatabaseHealthDetails } from './database-health-options.interface';

/** What the check observed, and the thresholds to judge it by. */
export interface DatabaseObservation {
  /** Pool and connection state, read before the ping (the ping itself takes a connection). */
  stats: Pick<DatabaseStats, 'state' | 'pool' | 'lastError'>;
  /** The breaker after the ping. */
  breaker: BreakerState;
  /** Round trip of a successful ping. */
  latencyMs?: number;
  /** Why the ping failed, when it did. */
  pingError?: string;
  degradedLatencyMs: number;
  poolSaturation: number;
}

/** The verdict of a database check: `up` (possibly degraded) or `down`, with its details. */
export interface DatabaseVerdict {
  up: boolean;
  details: DatabaseHealthDetails;
}

/**
 * Judges one database: unreachable, timed out or breaker open is down; breaker half-open, a saturated
 * pool or a slow ping is up but degraded. Every applicable reason is reported, joined by "; ".
 */
export function assessDatabase(observation: DatabaseObservation): DatabaseVerdict {
  const { stats, breaker, latencyMs, pingError } = observation;
  const base = { breaker, pool: { ...stats.pool } };
  const down: string[] = [];
  if (stats.state !== 'connected') down.push(`not connected (${stats.state}${stats.lastError ? `: ${stats.lastError}` : ''})`);
  else if (pingError !== undefined) down.push(pingError);
  if (breaker === 'open') down.push('circuit breaker open');
  if (down.length > 0) return { up: false, details: { ...base, latencyMs, degraded: false, reason: down.join('; ') } };

  const degraded: string[] = [];
  if (breaker === 'half-open') degraded.push('circuit breaker half-open');
  const { total, idle, waiting, max } = stats.pool;
  if (waiting > 0 || total - idle >= observation.poolSaturation * max) {
    degraded.push(`pool saturated (${total - idle}/${max} in use, ${waiting} waiting)`);
  }
  if (latencyMs !== undefined && latencyMs >= observation.degradedLatencyMs) {
    degraded.push(`slow ping (${latencyMs} ms >= ${observation.degradedLatencyMs} ms)`);
  }
  return {
    up: true,
    details: { ...base, latencyMs, degraded: degraded.length > 0, ...(degraded.length > 0 && { reason: degraded.join('; ') }) },
  };
}
