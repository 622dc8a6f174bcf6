import type { LeasedExecution } from './leased-execution';
import type { TaskContext } from './queue.interfaces';

/**
 * RunningAttempt is one handler run: the `ctx` its handler receives, and the means to abort it (timeout,
 * cancel, lost lease, shutdown). Its AbortController is made only when the handler reads `ctx.signal`:
 * most handlers never do, and at tens of thousands of runs a second the allocation shows.
 */
export class RunningAttempt implements TaskContext {
  readonly id: string;
  readonly task: string;
  readonly queue: string;
  readonly attempt: number;
  /** When the run times out, a `performance.now()` time; AttemptDeadlines checks it. */
  deadline = Infinity;
  /** Its index in RunningAttempts while it is held there, else -1: removal without a search. */
  slot = -1;
  private controller?: AbortController;
  private abortReason: unknown = undefined;
  private isAborted = false;
  private onError?: (error: unknown) => void;
  private settled = false;

  constructor(readonly execution: LeasedExecution) {
    this.id = execution.id;
    this.task = execution.task;
    this.queue = execution.queue;
    this.attempt = execution.attempts;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Whether the run was aborted, and why. */
  get aborted(): boolean {
    return this.isAborted;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  /** Aborts the run: `ctx.signal` fires and the run settles at once with `reason`; a late result is dropped. */
  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const onError = this.onError;
    // A microtask, as a rejected promise would: the caller (a timer, a NOTIFY, shutdown) finishes its own loop first.
    if (onError) queueMicrotask(() => this.once(onError, reason));
  }

  /**
   * Calls `onResult` with what `work` resolves to, or `onError` with its rejection, or with the reason as
   * soon as the run is aborted: once, whichever comes first. NOTE: callbacks, not a promise wrapped around
   * `work`: that promise, its executor and its resolving functions were allocated on every run.
   */
  settle<T>(work: Promise<T>, onResult: (result: T) => void, onError: (error: unknown) => void): void {
    this.onError = onError;
    if (this.isAborted) queueMicrotask(() => this.once(onError, this.abortReason));
    work.then(
      (result) => this.once(onResult, result),
      (error: unknown) => this.once(onError, error),
    );
  }

  private once<T>(callback: (value: T) => void, value: T): void {
    if (this.settled) return;
    this.settled = true;
    callback(value);
  }
}
