/** The longest delay a Node timer keeps: a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Throws a RangeError naming the call unless `timeoutMs` is a whole number of milliseconds a timer can hold. */
export function checkCallTimeout(timeoutMs: unknown, call: string): void {
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
    throw new RangeError(
      `${call}: timeoutMs must be an integer between 1 and ${MAX_TIMER_MS} ms, got ${typeof timeoutMs === 'number' ? timeoutMs : JSON.stringify(timeoutMs)}`,
    );
  }
}
