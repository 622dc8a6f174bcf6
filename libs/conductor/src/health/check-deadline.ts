/**
 * CheckDeadline is one health check's time budget: its signal aborts after `timeoutMs`, and `clear()`
 * (always call it) stops the timer so no check leaves one behind.
 */
export class CheckDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();

  constructor(readonly timeoutMs: number) {
    this.timer = setTimeout(() => this.controller.abort(new Error(`timeout of ${timeoutMs}ms exceeded`)), timeoutMs);
  }

  /** Aborts when the budget is spent. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left, at least 1 (a call deadline of 0 would time out at once). */
  get remainingMs(): number {
    return Math.max(1, Math.round(this.timeoutMs - (performance.now() - this.startedAt)));
  }

  /** Stops the timer. */
  clear(): void {
    clearTimeout(this.timer);
  }
}
