import { DatabaseCallError } from './database-call.error';

/** Thrown at once while a database's breaker is open, instead of waiting on a database known to be down. */
export class CircuitOpenError extends DatabaseCallError {
  override name = 'CircuitOpenError';

  constructor(key: string, lastFailure: string | undefined, cause?: unknown) {
    super(key, 'transient', `unavailable: circuit breaker open${lastFailure ? ` (last failure: ${lastFailure})` : ''}`, cause);
  }
}

/** Tells whether `error` is a `CircuitOpenError`. */
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return error instanceof Error && error.name === 'CircuitOpenError';
}
