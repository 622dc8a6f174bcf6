import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { ResolvedDatabaseOptions } from '../options/resolved-options.interface';
import type { Classification } from '../resilience/classify-error';
import { OutageLog } from '../resilience/outage-log';
import type { BreakerState, ResilienceListener } from '../resilience/resilience-events';
import type { DatabaseEventMap } from './database-events';
import type { TimingStats } from './database-stats.interface';

const SQL_PREVIEW_CHARS = 200;
const SLOW_LINES_PER_INTERVAL = 10;

function timing(): TimingStats {
  return { count: 0, totalMs: 0, maxMs: 0, lastMs: 0 };
}

function record(stats: TimingStats, ms: number): void {
  stats.count++;
  stats.totalMs += ms;
  stats.lastMs = ms;
  if (ms > stats.maxMs) stats.maxMs = ms;
}

/**
 * DatabaseInstrumentation counts and times one key's calls, logs slow statements (SQL text only,
 * never parameter values) and pool saturation at most once per interval, and relays the policy's
 * events to the outage log and to `events` listeners (metrics).
 */
export class DatabaseInstrumentation implements ResilienceListener {
  readonly events = new EventEmitter<DatabaseEventMap>();
  readonly acquire = timing();
  readonly execute = timing();
  queries = 0;
  failures = 0;
  retries = 0;
  slowQueries = 0;
  private readonly outage: OutageLog;
  private slowWindowStart = 0;
  private slowLinesInWindow = 0;
  private lastSaturationWarning = 0;

  constructor(
    private readonly options: ResolvedDatabaseOptions,
    private readonly logger: Logger,
  ) {
    this.outage = new OutageLog(options.key, logger, options.resilience.logIntervalMs);
  }

  get inOutage(): boolean {
    return this.outage.inOutage;
  }

  /** Records one statement's timings and checks the slow-query threshold and pool saturation. */
  statement(sql: string, acquireMs: number, executeMs: number, route: 'primary' | 'replica', pool: Pool): void {
    this.queries++;
    record(this.acquire, acquireMs);
    record(this.execute, executeMs);
    if (executeMs >= this.options.slowQueryMs) this.slow(sql, executeMs);
    if (pool.waitingCount > 0 || pool.totalCount - pool.idleCount >= 0.9 * this.options.pool.max) this.saturated(pool);
    if (this.events.listenerCount('query') > 0) {
      this.events.emit('query', { key: this.options.key, acquireMs, executeMs, route });
    }
  }

  onRetry(event: { attempt: number; delayMs: number; error: unknown; classification: Classification }): void {
    this.retries++;
    this.outage.onRetry(event);
    this.events.emit('retry', {
      key: this.options.key,
      attempt: event.attempt,
      delayMs: event.delayMs,
      classification: event.classification,
    });
  }

  onSuccess(event: { startedAt: number }): void {
    if (this.outage.inOutage) this.outage.onSuccess(event);
  }

  onFailure(event: { error: unknown; classification: Classification }): void {
    this.failures++;
    this.outage.onFailure(event);
    this.events.emit('failure', { key: this.options.key, classification: event.classification });
  }

  onBreakerState(state: BreakerState, lastFailure?: string): void {
    this.outage.onBreakerState(state, lastFailure);
    this.events.emit('breaker', { key: this.options.key, state });
  }

  onMisconfiguration(error: Error): void {
    this.outage.onMisconfiguration(error);
  }

  private slow(sql: string, executeMs: number): void {
    this.slowQueries++;
    const now = Date.now();
    if (now - this.slowWindowStart >= this.options.resilience.logIntervalMs) {
      this.slowWindowStart = now;
      this.slowLinesInWindow = 0;
    }
    if (this.slowLinesInWindow++ >= SLOW_LINES_PER_INTERVAL) return;
    const text = sql.replace(/\s+/g, ' ').trim();
    const preview = text.length > SQL_PREVIEW_CHARS ? `${text.slice(0, SQL_PREVIEW_CHARS)}…` : text;
    this.logger.warn(`database "${this.options.key}": slow query (${Math.round(executeMs)} ms): ${preview}`);
  }

  private saturated(pool: Pool): void {
    const now = Date.now();
    if (now - this.lastSaturationWarning < this.options.resilience.logIntervalMs) return;
    this.lastSaturationWarning = now;
    this.logger.warn(
      `database "${this.options.key}": pool saturated (${pool.totalCount - pool.idleCount}/${this.options.pool.max} in use, ${pool.waitingCount} waiting)`,
    );
  }
}
