import { raceAbort } from './abortable';

/**
 * Runs `fn` with a signal that aborts after `timeoutMs` or as soon as `caller` aborts, and settles at that
 * moment whatever `fn` is still doing: with `timedOut()`'s error, or with the caller's reason. The timer
 * and the listener never outlive the call.
 *
 * NOTE: this replaces cockatiel's timeout policy on the query path. Its aggressive strategy races every
 * call against an event promise and derives a controller from the parent signal: about 9 µs of CPU per
 * query at 32 in flight, measured, against 1–2 µs for this.
 */
export function withDeadline<T>(
  timeoutMs: number,
  caller: AbortSignal | undefined,
  timedOut: () => Error,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (caller?.aborted) return Promise.reject(caller.reason);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(timedOut()), timeoutMs);
  const onCallerAbort = (): void => deadline.abort(caller?.reason);
  caller?.addEventListener('abort', onCallerAbort, { once: true });
  let work: Promise<T>;
  try {
    work = fn(deadline.signal);
  } catch (error) {
    work = Promise.reject(error);
  }
  return raceAbort(work, deadline.signal).finally(() => {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onCallerAbort);
  });
}
