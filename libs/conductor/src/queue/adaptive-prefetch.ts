/** Most executions one process holds ahead of its free slots. */
export const MAX_PREFETCH = 2_000;
/** How much work, in time at the measured rate, the buffer aims to hold. */
const TARGET_BUFFER_MS = 250;
const SMOOTHING = 0.3;
/** A rate is measured every 50 ms, or sooner once 100 handlers have finished over at least 5 ms. */
const WINDOW_MS = 50;
const WINDOW_FINISHED = 100;
const EARLY_WINDOW_MS = 5;

/**
 * AdaptivePrefetch sizes the local buffer from the rate at which handlers finish: a quarter second of
 * work, between `concurrency` and 2 000. Fast handlers are fed in large batches (one statement per
 * hundreds of executions); slow ones get a small buffer, so they are not hoarded away from other
 * processes that have free slots. A fixed `prefetch` option bypasses it.
 */
export class AdaptivePrefetch {
  private finished = 0;
  private since: number;
  private rate = 0;

  constructor(
    private readonly concurrency: number,
    private readonly fixed: number | null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  /** Counts one finished handler. */
  finishedOne(): void {
    this.finished++;
  }

  /** Executions to hold beyond the running ones now. */
  size(): number {
    if (this.fixed !== null) return this.fixed;
    const now = this.now();
    const elapsed = now - this.since;
    // NOTE: fast handlers fill the window long before 50 ms are up; measuring then lets a backlog that
    // arrives at an idle worker be fetched in large batches sooner, not after 50 ms of fetches the size
    // of the concurrency (measured on a 20 000-job drain: the first large fetch at 25 ms instead of 50).
    // Not under 5 ms: a burst of trivial handlers within a millisecond is not a rate to hoard 2 000 for.
    if (elapsed >= WINDOW_MS || (this.finished >= WINDOW_FINISHED && elapsed >= EARLY_WINDOW_MS)) {
      const measured = (this.finished * 1000) / elapsed;
      this.rate = this.rate === 0 ? measured : SMOOTHING * measured + (1 - SMOOTHING) * this.rate;
      this.finished = 0;
      this.since = now;
    }
    const wanted = Math.ceil((this.rate * TARGET_BUFFER_MS) / 1000);
    return Math.min(MAX_PREFETCH, Math.max(this.concurrency, wanted));
  }
}
