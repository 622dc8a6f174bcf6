import { type Classification, isContention } from './classify-error';
import type { BreakerState, ResilienceListener } from './resilience-events';

/** The few methods of a Nest `Logger` that the outage log uses. */
export interface OutageLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * OutageLog turns a policy's events into few log lines: one warning when an outage starts on a key,
 * at most one summary per interval while it lasts, one line when it recovers. Never a line per attempt,
 * nor per probe of a breaker that opens again and again during a long outage.
 * It needs no timer: summaries are written by the events themselves.
 */
export class OutageLog implements ResilienceListener {
  private outageStartedAt?: number;
  private retriesSinceSummary = 0;
  private retriesInOutage = 0;
  private reopensSinceSummary = 0;
  private breakerOpenLogged = false;
  private lastSummaryAt = 0;
  private lastReason = '';
  private lastFailureAt = 0;

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
    // Serialization failures and deadlocks are retried quietly: contention, not an unwell database.
    if (isContention(event.classification) && !this.inOutage) return;
    this.begin(event.classification.reason);
    this.lastFailureAt = this.now();
    this.retriesInOutage++;
    this.retriesSinceSummary++;
    this.lastReason = event.classification.reason;
    this.summarizeIfDue();
  }

  /**
   * A call succeeded. Only an attempt that began after the latest failure proves recovery: a call
   * already under way when the server went down may still finish well. Strictly after: the clock counts
   * milliseconds, and an attempt begun in the failure's millisecond may have begun before it (a test run
   * logged one outage as two that way).
   */
  onSuccess(event: { startedAt: number } = { startedAt: this.now() }): void {
    if (this.outageStartedAt !== undefined && event.startedAt > this.lastFailureAt) this.end();
  }

  onFailure(event: { error: unknown; classification: Classification }): void {
    const { kind } = event.classification;
    if ((kind === 'transient' || kind === 'misconfiguration') && !isContention(event.classification)) {
      this.begin(event.classification.reason);
      this.lastFailureAt = this.now();
      this.lastReason = event.classification.reason;
    }
  }

  onBreakerState(state: BreakerState, lastFailure?: string): void {
    if (state === 'open') {
      this.begin(lastFailure ?? 'breaker open');
      this.lastFailureAt = this.now();
      if (!this.breakerOpenLogged) {
        this.breakerOpenLogged = true;
        this.logger.error(`database "${this.key}": circuit breaker opened; calls fail fast until a probe succeeds`);
      } else {
        this.reopensSinceSummary++;
        this.summarizeIfDue();
      }
    } else if (state === 'closed') {
      if (this.breakerOpenLogged) this.logger.log(`database "${this.key}": circuit breaker closed`);
      this.end();
    }
    // Half-open is the probe itself: its outcome (closed, or open again) is what gets told.
  }

  onMisconfiguration(error: Error): void {
    this.logger.error(error.message);
  }

  private summarizeIfDue(): void {
    const now = this.now();
    if (now - this.lastSummaryAt < this.intervalMs) return;
    const seconds = Math.round((now - this.lastSummaryAt) / 1000);
    const reopens = this.reopensSinceSummary > 0 ? `, breaker re-opened ${this.reopensSinceSummary} time(s)` : '';
    this.logger.warn(
      `database "${this.key}": still failing: ${this.retriesSinceSummary} retries in the last ${seconds} s${reopens} (last: ${this.lastReason})`,
    );
    this.retriesSinceSummary = 0;
    this.reopensSinceSummary = 0;
    this.lastSummaryAt = now;
  }

  private begin(reason: string): void {
    if (this.outageStartedAt !== undefined) return;
    this.outageStartedAt = this.now();
    this.lastSummaryAt = this.outageStartedAt;
    this.retriesInOutage = 0;
    this.retriesSinceSummary = 0;
    this.reopensSinceSummary = 0;
    this.lastReason = reason;
    this.logger.warn(`database "${this.key}": outage started (${reason}); retrying with backoff`);
  }

  private end(): void {
    if (this.outageStartedAt === undefined) return;
    const seconds = ((this.now() - this.outageStartedAt) / 1000).toFixed(1);
    this.logger.log(`database "${this.key}": recovered after ${seconds} s and ${this.retriesInOutage} retries`);
    this.outageStartedAt = undefined;
    this.retriesInOutage = 0;
    this.breakerOpenLogged = false;
  }
}
