import type { ConnectionOptions } from 'node:tls';
import type { Registry } from 'prom-client';
import type { DatabaseOptions, QueueOptions } from './conductor-options.interface';

/** Where one server is and how to log in, parsed from a URL or from parts. */
export interface ResolvedConnection {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl: false | ConnectionOptions;
}

/** Resilience settings with every default filled in. */
export interface ResolvedResilience {
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number; misconfigurationAttempts: number };
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
  timeoutMs: number;
  maxQueued: number;
  logIntervalMs: number;
}

/** One database's options, validated, with every default filled in. */
export interface ResolvedDatabaseOptions {
  key: string;
  primary: ResolvedConnection;
  replicas: ResolvedConnection[];
  pool: { min: number; max: number; idleTimeoutMs: number; acquireTimeoutMs: number };
  statementTimeoutMs?: number;
  slowQueryMs: number;
  applicationName: string;
  preparedStatements: boolean;
  resilience: ResolvedResilience;
  failFast: boolean;
  entities: NonNullable<DatabaseOptions['entities']>;
  autoLoadEntities: boolean;
  typeorm: Record<string, unknown>;
}

/** The queue's options, validated, with every default filled in. */
export type ResolvedQueueOptions = Required<Omit<QueueOptions, 'queues' | 'backoff' | 'strict' | 'prefetch'>> & {
  queues: string[] | null;
  /** A fixed prefetch, or null to adapt it to the handlers' rate. */
  prefetch: number | null;
  backoff: { initialDelayMs: number; maxDelayMs: number };
  strict: boolean;
};

/** Metrics options with the default prefix filled in; no registry means Conductor's own. */
export interface ResolvedMetricsOptions {
  registry?: Registry;
  prefix: string;
}

/** `ConductorModule` options after validation. */
export interface ResolvedConductorOptions {
  databases: Map<string, ResolvedDatabaseOptions>;
  queue: ResolvedQueueOptions | null;
  metrics: ResolvedMetricsOptions;
}
