/** Calls `fn(0..count-1)` with at most `inFlight` calls pending at once; rejects on the first failure. */
export async function runConcurrently(count: number, inFlight: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
}
