/**
 * Wakeup lets a loop sleep until something happens (new work, a free slot) or a bounded time passes.
 * A signal that arrives while nobody waits is kept, so a notification during a fetch is never lost.
 */
export class Wakeup {
  private pending = false;
  private waiter?: () => void;

  /** Wakes the waiting loop now, or the next wait if none is waiting. */
  fire(): void {
    if (this.waiter) this.waiter();
    else this.pending = true;
  }

  /** Resolves on `fire()`, after `ms`, or when `signal` aborts: whichever comes first. Never rejects. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiter = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }
}
