import type { BreakerState } from '../resilience/resilience-events';

/** Options of one `DatabaseHealthIndicator.check`. */
export interface DatabaseHealthOptions {
  /** Deadline of the whole check, ping included; past it the database is `down` (default 1 000 ms). */
  timeoutMs?: number;
  /** A ping at least this slow makes the database degraded (default: half of `timeoutMs`). */
  degradedLatencyMs?: number;
  /** Share of the pool in use at which the database is degraded; anyone waiting for a connection also is (default 0.9). */
  poolSaturation?: number;
}

/** The details a database check reports next to its `status`. */
export interface DatabaseHealthDetails {
  /** Round trip of the ping, connection acquisition included; absent when the ping failed. */
  latencyMs?: number;
  breaker: BreakerState;
  pool: { total: number; idle: number; waiting: number; max: number };
  /** True when the database answers but is impaired: breaker half-open, pool saturated or slow ping. */
  degraded: boolean;
  /** Why it is degraded or down; absent when all is well. */
  reason?: string;
}
