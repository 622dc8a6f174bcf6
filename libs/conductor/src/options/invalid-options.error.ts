const MARKER = Symbol.for('conductor.InvalidOptionsError');

/** Thrown at startup when an option is missing or malformed; the message names the key and the option. */
export class InvalidOptionsError extends Error {
  readonly [MARKER] = true;
  override readonly name = 'InvalidOptionsError';

  constructor(
    /** What was wrong, e.g. `databases.reference.pool.max` or `CONDUCTOR_REFERENCE_POOL_MAX`. */
    readonly option: string,
    message: string,
  ) {
    super(`Conductor: invalid ${option}: ${message}`);
  }
}

/** Tells whether `error` is an `InvalidOptionsError`, also across two copies of the package. */
export function isInvalidOptionsError(error: unknown): error is InvalidOptionsError {
  return typeof error === 'object' && error !== null && MARKER in error;
}
