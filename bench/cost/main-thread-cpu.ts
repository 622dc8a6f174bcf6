import { STIME, TICKS_PER_SECOND, UTIME, statFields } from './proc-stat';

/**
 * CPU time (user + system, in µs) of this process's main thread, the one that runs JavaScript; the rest
 * of `process.cpuUsage()` is V8's helper threads (compilation, concurrent garbage collection) and libuv's.
 * Undefined where /proc cannot tell (another OS): the report then says n/a. Resolution: 10 ms.
 */
export function mainThreadCpuMicros(): number | undefined {
  try {
    const fields = statFields(`/proc/self/task/${process.pid}/stat`);
    const ticks = Number(fields[UTIME]) + Number(fields[STIME]);
    return Number.isFinite(ticks) ? (ticks * 1_000_000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
