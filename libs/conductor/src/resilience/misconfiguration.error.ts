import { DatabaseCallError } from './database-call.error';

/** Raised after the bounded attempts on a misconfiguration (bad password, unknown host, TLS): a human must act. */
export class MisconfigurationError extends DatabaseCallError {
  override name = 'MisconfigurationError';

  constructor(key: string, target: string, attempts: number, reason: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      key,
      'misconfiguration',
      `misconfigured, gave up after ${attempts} attempt(s) on ${target} (${reason}): ${detail}`,
      cause,
    );
  }
}
