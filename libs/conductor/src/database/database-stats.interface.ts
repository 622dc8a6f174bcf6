import type { BreakerState } from '../resilience/resilience-events';
import type { ConnectionState } from './database-connector';

/** Durations of one phase of a query (acquiring a connection, or executing on it). */
export interface TimingStats {
  count: number;
  totalMs: number;
  maxMs: number;
  lastMs: number;
}

/** A snapshot of one database's health and load, as `Database.stats()` returns it. */
export interface DatabaseStats {
  key: string;
  state: ConnectionState;
  breaker: BreakerState;
  pool: { total: number; idle: number; waiting: number; max: number };
  /** Calls waiting in the bulkhead for a slot. */
  queued: number;
  queries: number;
  failures: number;
  retries: number;
  slowQueries: number;
  acquire: TimingStats;
  execute: TimingStats;
  /** Whether an outage is under way (retries or open breaker since the last success). */
  inOutage: boolean;
  lastError?: string;
}

/** What `Database.serverInfo()` reads from the server on demand. */
export interface ServerInfo {
  version: string;
  uptimeSeconds: number;
  database: string;
}
