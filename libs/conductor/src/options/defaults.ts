import type { ResolvedQueueOptions, ResolvedResilience } from './resolved-options.interface';

/** Resilience defaults applied to every database unless overridden. */
export const DEFAULT_RESILIENCE: ResolvedResilience = {
  retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 5_000, misconfigurationAttempts: 3 },
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 5_000 },
  timeoutMs: 30_000,
  maxQueued: 1_000,
  logIntervalMs: 30_000,
};

/** Pool defaults of every database. */
export const DEFAULT_POOL = { min: 0, max: 10, idleTimeoutMs: 10_000, acquireTimeoutMs: 10_000 };

/** Slow-query threshold unless a database sets its own. */
export const DEFAULT_SLOW_QUERY_MS = 1_000;

/** Queue defaults; `database` is always given by the user. */
export const DEFAULT_QUEUE: Omit<ResolvedQueueOptions, 'database' | 'prefetch' | 'strict'> = {
  schema: 'conductor',
  concurrency: 10,
  pollIntervalMs: 1_000,
  heartbeatIntervalMs: 5_000,
  staleAfterMs: 30_000,
  workers: true,
  listen: true,
  queues: null,
  maxPayloadBytes: 1024 * 1024,
  maxAttempts: 5,
  backoff: { initialDelayMs: 1_000, maxDelayMs: 300_000 },
  timeoutMs: 300_000,
  completionBatchSize: 1_000,
  completionFlushMs: 0,
  shutdownGraceMs: 10_000,
  retentionMs: 24 * 60 * 60 * 1000,
  idempotencyRetentionMs: 24 * 60 * 60 * 1000,
  migrationLockTimeoutMs: 60_000,
  migrate: true,
};
