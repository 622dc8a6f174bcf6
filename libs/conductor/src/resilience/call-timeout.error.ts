import { DatabaseCallError } from './database-call.error';

/** A call (retries included) went past its deadline; its connection was closed rather than left busy. */
export class CallTimeoutError extends DatabaseCallError {
  override name = 'CallTimeoutError';

  constructor(key: string, timeoutMs: number) {
    super(key, 'transient', `call exceeded its ${timeoutMs} ms deadline`);
  }
}
