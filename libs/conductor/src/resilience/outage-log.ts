import type { Classification } from './classify-error';
import type { BreakerState, ResilienceListener } from './resilience-events';

/** The few methods of a Nest `Logger` that the outage log uses. */
export interface OutageLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * OutageLog turns a policy's events into few log lines: one warning when an outage starts on a key,
 * at most one summary per interval while it lasts, one line when it recovers. Never a line per attempt.
 * It needs no timer: summaries are written by the events themselves.
 */
export class OutageLog implements ResilienceListener {
  private outageStartedAt?: number;
  private retriesSinceSummary = 0;
  private retriesInOutage = 0;
  private lastSummaryAt = 0;

  constructor(
    private readonly key: string,
    private readonly logger: OutageLogger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether an outage is under way on this key. */
  get inOutage(): boolean {
    return this.outageStartedAt !== undefined;
  }

  /** Retries counted since the current outage began (0 when none). */
  get retries(): number {
    return this.retriesInOutage;
  }

  onRetry(event: { attempt: number; delayMs: number; error: unknown; classification: Classification }): void {
    this.begin(event.classification.reason);
    this.retriesInOutage++;
    this.retriesSinceSummary++;
    const now = this.now();
    if (now - this.lastSummaryAt >= this.intervalMs) {
      const seconds = Math.round((now - this.lastSummaryAt) / 1000);
      this.logger.warn(
        `database "${this.key}": ${this.retriesSinceSummary} retries in the last ${seconds} s (last: ${event.classification.reason})`,
      );
      this.retriesSinceSummary = 0;
      this.lastSummaryAt = now;
    }
  }

  onSuccess(): void {
    this.end();
  }

  onBreakerState(state: BreakerState, lastFailure?: string): void {
    if (state === 'open') {
      this.begin(lastFailure ?? 'breaker open');
      this.logger.error(`database "${this.key}": circuit breaker opened; calls fail fast until a probe succeeds`);
    } else if (state === 'half-open') {
      this.logger.log(`database "${this.key}": circuit breaker half-open; letting one call probe the database`);
    } else {
      this.logger.log(`database "${this.key}": circuit breaker closed`);
      this.end();
    }
  }

  onMisconfiguration(error: Error): void {
    this.logger.error(error.message);
  }

  private begin(reason: string): void {
    if (this.outageStartedAt !== undefined) return;
    this.outageStartedAt = this.now();
    this.lastSummaryAt = this.outageStartedAt;
    this.retriesInOutage = 0;
    this.retriesSinceSummary = 0;
    this.logger.warn(`database "${this.key}": outage started (${reason}); retrying with backoff`);
  }

  private end(): void {
    if (this.outageStartedAt === undefined) return;
    const seconds = ((this.now() - this.outageStartedAt) / 1000).toFixed(1);
    this.logger.log(`database "${this.key}": recovered after ${seconds} s and ${this.retriesInOutage} retries`);
    this.outageStartedAt = undefined;
    this.retriesInOutage = 0;
  }
}
