import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CSTIME, CUTIME, PPID, STIME, TICKS_PER_SECOND, UTIME, statFields } from './proc-stat';

/**
 * CPU time (user + system, in µs) used so far by the server whose data directory is `dataDir`: its
 * postmaster, its live children (backends, background processes), and the children that have exited
 * and been reaped (counted in the postmaster's cutime and cstime). Other servers on the machine do not
 * count. Undefined without a data directory (a server given by BENCH_PG_URL) or where /proc cannot tell
 * (another OS, the server gone): the report then says n/a.
 */
export function postgresCpuMicros(dataDir: string | undefined): number | undefined {
  if (dataDir === undefined) return undefined;
  let postmaster: string;
  let ticks: number;
  try {
    postmaster = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    const own = statFields(`/proc/${postmaster}/stat`);
    ticks = Number(own[UTIME]) + Number(own[STIME]) + Number(own[CUTIME]) + Number(own[CSTIME]);
  } catch {
    return undefined;
  }
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let fields: string[];
    try {
      fields = statFields(`/proc/${pid}/stat`);
    } catch {
      continue; // exited meanwhile: its time is in the postmaster's cutime once reaped
    }
    if (fields[PPID] === postmaster) ticks += Number(fields[UTIME]) + Number(fields[STIME]);
  }
  return Number.isFinite(ticks) ? (ticks * 1_000_000) / TICKS_PER_SECOND : undefined;
}
