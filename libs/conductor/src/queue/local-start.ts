import type { LeasedExecution } from './leased-execution';

/**
 * LocalStart is how the producer hands a single invoke straight to this process's idle worker: the row
 * is inserted already leased to this orchestrator (insert-execution-started.sql) and the worker starts it
 * as soon as the insert commits, without the notification and the fetch that a queued row waits for.
 * The worker implements it; the producer calls reserve, then exactly one of start or cancel.
 */
export interface LocalStart {
  /** The orchestrator the row is leased to. */
  readonly orchestratorId: string;
  /**
   * Takes a slot for one execution of `task` in `queue`, or returns false when starting it here could
   * pass over other work or exceed a limit: then it goes through the table like any invoke.
   */
  reserveLocalStart(task: string, queue: string): boolean;
  /** The reserved execution is in the table, leased to this orchestrator: start it. */
  startLocal(execution: LeasedExecution): void;
  /**
   * The reserved execution's insert failed. `leaseMayBeHeld`: its answer was lost, so the row may be in,
   * leased to this orchestrator that never got it; the worker then hands back the leases it does not hold.
   * Called once that insert can no longer commit (the producer's keyed retry waited for it).
   */
  cancelLocalStart(task: string, leaseMayBeHeld: boolean): void;
}
