/** Aborts a handler's signal when it runs past its task's `timeoutMs`. */
export class TaskTimeoutError extends Error {
  override name = 'TaskTimeoutError';
  constructor(task: string, timeoutMs: number) {
    super(`task ${JSON.stringify(task)} did not finish within its ${timeoutMs} ms timeout`);
  }
}

/** Aborts a handler's signal when its execution was cancelled. */
export class ExecutionCancelledError extends Error {
  override name = 'ExecutionCancelledError';
  constructor(id: string) {
    super(`execution ${id} was cancelled`);
  }
}

/** Aborts a handler's signal when this process no longer holds its lease (it was presumed dead and swept). */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(id: string) {
    super(`the lease on execution ${id} was lost; another attempt may run it`);
  }
}

/** Aborts a handler's signal when the application shuts down and its grace period is over. */
export class ShutdownAbortError extends Error {
  override name = 'ShutdownAbortError';
  constructor() {
    super('the application is shutting down');
  }
}

/**
 * Throw it from a handler to fail the execution for good, without the remaining attempts:
 * `throw new PermanentTaskError('customer does not exist')`.
 */
export class PermanentTaskError extends Error {
  override name = 'PermanentTaskError';
}
