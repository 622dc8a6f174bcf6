/**
 * Prints `CHILD-MEMORY {"rss":..,"heapUsed":..}` (bytes) every `CONDUCTOR_CHILD_MEMORY_MS`, right after a
 * full garbage collection when the process runs with --expose-gc: RSS alone rises for minutes while V8
 * sizes its heap, so a soak judges leaks by the live heap and reports RSS beside it. The timer is unref'd.
 */
export function startMemoryProbe(): void {
  const every = Number(process.env.CONDUCTOR_CHILD_MEMORY_MS ?? 0);
  if (!every) return;
  const collect = (globalThis as { gc?: () => void }).gc;
  setInterval(() => {
    collect?.();
    const { rss, heapUsed } = process.memoryUsage();
    console.log(`CHILD-MEMORY ${JSON.stringify({ rss, heapUsed })}`);
  }, every).unref();
}
