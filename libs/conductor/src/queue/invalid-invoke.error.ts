const MARKER = Symbol.for('conductor.InvalidInvokeError');

/** An `invoke` that cannot be accepted: bad payload, bad option or unknown task. Nothing was written. */
export class InvalidInvokeError extends Error {
  readonly [MARKER] = true;
  override name = 'InvalidInvokeError';

  constructor(
    /** The task the call was for. */
    readonly task: string,
    /** What was wrong, without the task's name. */
    readonly reason: string,
    /** The item's position in the array given to `invokeBatch`; undefined when the call enqueued one item. */
    readonly index?: number,
  ) {
    super(`Conductor: cannot invoke task ${JSON.stringify(task)}${index === undefined ? '' : ` (item ${index})`}: ${reason}`);
  }
}

/** Tells whether `error` is an `InvalidInvokeError`, also across two copies of the package. */
export function isInvalidInvokeError(error: unknown): error is InvalidInvokeError {
  return typeof error === 'object' && error !== null && MARKER in error;
}
