import type { RegisteredTask } from './task-registry';
import type { RunningAttempt } from './running-attempt';
import { TaskTimeoutError } from './queue-errors';

/** Bounds of the gap between two deadline checks. */
const MIN_CHECK_MS = 5;
const MAX_CHECK_MS = 1_000;

/**
 * AttemptDeadlines times out running handlers with one timer per worker instead of one per run: while
 * anything runs, it checks every tenth of the shortest task timeout (5 ms to 1 s) and aborts the runs
 * past their deadline, so a run times out at most that much late. NOTE: a timer per run cost about 8 %
 * of the worker's CPU at tens of thousands of runs a second, measured.
 */
export class AttemptDeadlines {
  private timer?: NodeJS.Timeout;
  /** Worked out at the first run: the tasks are all registered by then. */
  private everyMs?: number;

  constructor(
    private readonly running: { values(): Iterable<RunningAttempt> },
    private readonly tasks: ReadonlyMap<string, RegisteredTask>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A run started: checks run until `idle()`. */
  watch(): void {
    this.everyMs ??= this.checkEveryMs();
    this.timer ??= setInterval(() => this.check(), this.everyMs);
  }

  /** Nothing runs any more: stop checking. */
  idle(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Aborts the runs past their deadline; returns how many. */
  check(): number {
    const now = this.now();
    let timedOut = 0;
    for (const attempt of this.running.values()) {
      if (attempt.aborted || now < attempt.deadline) continue;
      attempt.abort(new TaskTimeoutError(attempt.task, this.tasks.get(attempt.task)?.timeoutMs ?? 0));
      timedOut++;
    }
    return timedOut;
  }

  private checkEveryMs(): number {
    let shortest = Infinity;
    for (const task of this.tasks.values()) shortest = Math.min(shortest, task.timeoutMs);
    return Math.min(MAX_CHECK_MS, Math.max(MIN_CHECK_MS, Math.floor(shortest / 10)));
  }
}
