const MARKER = Symbol.for('conductor.InvalidInvokeError');

/** An `invoke` that cannot be accepted: bad payload, bad option or unknown task. Nothing was written. */
export class InvalidInvokeError extends Error {
  readonly [MARKER] = true;
  override name = 'InvalidInvokeError';

  constructor(
    /** The task the call was for. */
    readonly task: string,
    message: string,
  ) {
    super(`Conductor: cannot invoke task ${JSON.stringify(task)}: ${message}`);
  }
}

/** Tells whether `error` is an `InvalidInvokeError`, also across two copies of the package. */
export function isInvalidInvokeError(error: unknown): error is InvalidInvokeError {
  return typeof error === 'object' && error !== null && MARKER in error;
}
