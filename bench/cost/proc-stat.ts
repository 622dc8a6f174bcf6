import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times: 100 on Linux (USER_HZ). */
export const TICKS_PER_SECOND = 100;

// Indexes into the fields of /proc/<pid>/stat that follow the command name (`state` is 0): see proc(5).
export const PPID = 1;
export const MINFLT = 7;
export const UTIME = 11;
export const STIME = 12;
export const CUTIME = 13;
export const CSTIME = 14;

/** The fields of a /proc `stat` file after the command name, which may itself hold spaces and parentheses. */
export function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
