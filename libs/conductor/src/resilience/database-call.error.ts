import type { ErrorClass } from './classify-error';

const MARKER = Symbol.for('conductor.DatabaseCallError');

/** A database call that failed for good: names the database key, the error class and keeps the driver error as `cause`. */
export class DatabaseCallError extends Error {
  readonly [MARKER] = true;
  override name = 'DatabaseCallError';
  /** The SQLSTATE or driver code of the underlying error, when it had one. */
  readonly code?: string;

  constructor(
    /** The database key, e.g. `main`. */
    readonly key: string,
    /** Why it failed: transient (retries exhausted), permanent, misconfiguration or unknown. */
    readonly kind: ErrorClass,
    message: string,
    cause?: unknown,
  ) {
    super(`database "${key}": ${message}`, { cause });
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') this.code = code;
  }
}

/** Tells whether `error` is a `DatabaseCallError` (or subclass), also across two copies of the package. */
export function isDatabaseCallError(error: unknown): error is DatabaseCallError {
  return typeof error === 'object' && error !== null && MARKER in error;
}
