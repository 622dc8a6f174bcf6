import { DeadlineClock } from './deadline-clock';

/**
 * Runs `fn` with a signal that aborts after `timeoutMs` or as soon as `caller` aborts, and settles at that
 * moment whatever `fn` is still doing: with `timedOut()`'s error, or with the caller's reason. The timer
 * and the listener never outlive the call.
 *
 * For occasional calls (health checks, a metrics scrape): a clock of its own, closed when the call
 * settles. Database calls share their policy's DeadlineClock instead.
 */
export function withDeadline<T>(
  timeoutMs: number,
  caller: AbortSignal | undefined,
  timedOut: () => Error,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const clock = new DeadlineClock();
  return clock.run(timeoutMs, caller, timedOut, fn).finally(() => clock.close());
}
