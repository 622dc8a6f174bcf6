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
  private controller?: AbortController;
  private abortReason: unknown = undefined;
  private isAborted = false;
  private rejectRun?: (reason: unknown) => void;

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
    this.rejectRun?.(reason);
  }

  /** Settles with `work`, or rejects as soon as the run is aborted. */
  settle<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.rejectRun = reject;
      if (this.isAborted) reject(this.abortReason);
      work.then(resolve, reject);
    });
  }
}
