import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times: 100 on Linux (USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, in µs) used so far by every process named `postgres` on this machine: the
 * server's backends and its background processes together. Undefined where /proc is missing or shows no
 * such process (another OS, a server on another host): the report then says n/a.
 */
export function postgresCpuMicros(): number | undefined {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!stat.includes('(postgres)')) continue;
    // Fields after the command name: state is the first, utime the 12th and stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    found = true;
  }
  return found ? (ticks * 1_000_000) / TICKS_PER_SECOND : undefined;
}
