import type { ConnectionOptions } from 'node:tls';
import type { Registry } from 'prom-client';
import type { DataSourceOptions } from 'typeorm';

/** Retry settings: exponential backoff with full jitter, bounded by attempts and delay. */
export interface RetryOptions {
  /** Total attempts including the first one (default 4). */
  maxAttempts?: number;
  /** Delay before the first retry, before jitter (default 100 ms). */
  initialDelayMs?: number;
  /** Upper bound of any single backoff delay (default 5 000 ms). */
  maxDelayMs?: number;
  /** Attempts allowed for misconfiguration errors (bad password, DNS, TLS) before escalating (default 3). */
  misconfigurationAttempts?: number;
}

/** Circuit breaker settings, one breaker per database. */
export interface BreakerOptions {
  /** Consecutive connection-level failures that open the breaker (default 5). */
  consecutiveFailures?: number;
  /** How long the breaker stays open before letting one probe through (default 5 000 ms). */
  halfOpenAfterMs?: number;
}

/** Resilience settings: defaults in `options.resilience`, overridable per database. */
export interface ResilienceOptions {
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  /** Overall deadline of one `Database` call, retries included (default 30 000 ms). */
  timeoutMs?: number;
  /** Calls allowed to wait for a pool slot beyond the pool size before being rejected (default 1 000). */
  maxQueued?: number;
  /** Interval of the aggregated outage summary and of the pool saturation warning (default 30 000 ms). */
  logIntervalMs?: number;
}

/** Pool settings of one database. */
export interface PoolOptions {
  /** Connections kept open when idle (default 0). */
  min?: number;
  /** Most connections this key opens, per process (default 10). */
  max?: number;
  /** Idle time after which a connection above `min` is closed (default 10 000 ms). */
  idleTimeoutMs?: number;
  /** Longest wait for a connection from the pool, or for a new one to open (default 10 000 ms). */
  acquireTimeoutMs?: number;
}

/** One replica that takes plain reads. */
export interface ReplicaOptions {
  url: string;
}

/** How one database (one key of `options.databases`) is reached. */
export interface DatabaseOptions {
  /** `postgres://user:password@host:port/database?sslmode=...`; or give the parts below. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  pool?: PoolOptions;
  /** Server-side `statement_timeout` for every session of this key (default: server setting). */
  statementTimeoutMs?: number;
  /** Statements slower than this are logged, without their parameter values (default 1 000 ms). */
  slowQueryMs?: number;
  /** `application_name` shown in `pg_stat_activity` (default `conductor:<key>`). */
  applicationName?: string;
  /**
   * Run the queue's statements as named prepared statements (default true). Turn off behind PgBouncer in
   * transaction pooling mode older than 1.21 (or without `max_prepared_statements`), where a statement
   * prepared on one server connection is missing, or already there, on the next.
   */
  preparedStatements?: boolean;
  /** `true` for TLS with verification, `'no-verify'` for TLS without, or node TLS options. */
  ssl?: boolean | 'no-verify' | ConnectionOptions;
  /** Read replicas: plain reads go there, writes and transactions to the primary. */
  replicas?: ReplicaOptions[];
  /** Overrides of `options.resilience` for this database only. */
  resilience?: ResilienceOptions;
  /** Throw at startup when this database cannot be reached, instead of connecting in the background. */
  failFast?: boolean;
  /** TypeORM entities of this connection (also registered through `TypeOrmModule.forFeature`). */
  entities?: NonNullable<DataSourceOptions['entities']>;
  /** Register the entities of `TypeOrmModule.forFeature([...], key)` automatically (default true). */
  autoLoadEntities?: boolean;
  /** Further TypeORM options, passed through (synchronize, migrations, logging, ...). */
  typeorm?: Record<string, unknown>;
}

/** Backoff of a task's retries. */
export interface BackoffOptions {
  /** Delay before the second attempt, before jitter (default 1 000 ms). */
  initialDelayMs?: number;
  /** Upper bound of a retry delay (default 300 000 ms). */
  maxDelayMs?: number;
}

/** The durable queue; absent means no queue in this application. */
export interface QueueOptions<K extends string = string> {
  /** The key of the database that stores the queue. */
  database: K;
  /** PostgreSQL schema of the queue's tables (default `conductor`). */
  schema?: string;
  /** Handlers run at once in this process (default 10). */
  concurrency?: number;
  /** Fallback poll interval when no notification arrives (default 1 000 ms). */
  pollIntervalMs?: number;
  /** How often this process proves it is alive (default 5 000 ms). */
  heartbeatIntervalMs?: number;
  /** An orchestrator silent for this long is presumed dead and its work requeued (default 30 000 ms). */
  staleAfterMs?: number;
  /** Run workers in this process (default true); `false` makes a producer-only process. */
  workers?: boolean;
  /** Use LISTEN/NOTIFY to wake idle workers (default true); turn off behind PgBouncer transaction pooling. */
  listen?: boolean;
  /**
   * Executions fetched ahead of free slots and held locally. By default it adapts: about a quarter
   * second of work at the rate handlers finish, between `concurrency` and 2 000, so fast tasks are
   * fetched in large batches and slow ones are not hoarded away from other processes.
   */
  prefetch?: number;
  /** Named queues this process works on (default: all). */
  queues?: string[];
  /** Reject `invoke` of a task no handler is registered for (default: true when workers run here). */
  strict?: boolean;
  /** Largest serialized payload accepted by `invoke` (default 1 MiB). */
  maxPayloadBytes?: number;
  /** Default attempts of a task (default 5). */
  maxAttempts?: number;
  /** Default retry backoff of a task. */
  backoff?: BackoffOptions;
  /** Default handler timeout (default 300 000 ms). */
  timeoutMs?: number;
  /** Completions buffered before a flush (default 1 000); workers stop fetching while the buffer is full. */
  completionBatchSize?: number;
  /** Longest a completion waits to be flushed; 0 writes at once, batching what finishes meanwhile (default 0). */
  completionFlushMs?: number;
  /** Time running handlers get to finish at shutdown before their signal is aborted (default 10 000 ms). */
  shutdownGraceMs?: number;
  /** How long finished executions stay readable through `get(id)`; 0 deletes at once (default 1 day). */
  retentionMs?: number;
  /** How long an idempotency key keeps deduplicating after its execution was created (default 1 day). */
  idempotencyRetentionMs?: number;
  /** Longest wait for the migration lock held by another process (default 60 000 ms). */
  migrationLockTimeoutMs?: number;
  /** Run migrations at startup (default true). */
  migrate?: boolean;
}

/** Prometheus metrics of Conductor. */
export interface MetricsOptions {
  /** The prom-client registry to register in (default: a registry of Conductor's own, `ConductorMetrics.registry`). */
  registry?: Registry;
  /** Prefix of every metric name (default `conductor_`). */
  prefix?: string;
}

/** Everything `ConductorModule.forRoot` takes. */
export interface ConductorModuleOptions<K extends string = string> {
  /** One entry per database, keyed by the application's own enum. */
  databases: Record<K, DatabaseOptions>;
  /** Defaults for every database; each may override them in its own `resilience`. */
  resilience?: ResilienceOptions;
  /** The durable queue; absent means no queue. */
  queue?: QueueOptions<K>;
  /** Where and how metrics are registered. */
  metrics?: MetricsOptions;
}
