import { Client } from 'pg';
import { MINFLT, STIME, TICKS_PER_SECOND, UTIME, statFields } from '../cost/proc-stat';

/** What the backends of one database have used so far. */
export interface BackendUsage {
  /** CPU time, user and system, in µs. */
  cpuMicros: number;
  /** Minor page faults: each page of memory the backend touched for the first time. */
  minorFaults: number;
}

/**
 * Reads, from /proc, what the backends connected to each of `databases` have used so far (undefined for
 * a database whose backends are gone, or where /proc cannot tell). The backends are those connected when
 * it opens: a layer's connections stay open from its warm-up on. Only for a server on this machine (the
 * embedded one), whose backends are processes here.
 */
export async function openBackendUsage(
  adminUrl: string,
  databases: readonly string[],
): Promise<() => (BackendUsage | undefined)[]> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  let pidsOf: Map<string, number[]>;
  try {
    const { rows } = await admin.query<{ datname: string; pid: number }>(
      `SELECT datname, pid FROM pg_stat_activity WHERE datname = ANY($1) AND backend_type = 'client backend'`,
      [databases],
    );
    pidsOf = new Map(databases.map((name) => [name, rows.filter((r) => r.datname === name).map((r) => r.pid)]));
  } finally {
    await admin.end();
  }
  return () => databases.map((name) => usageOf(pidsOf.get(name) ?? []));
}

function usageOf(pids: number[]): BackendUsage | undefined {
  if (pids.length === 0) return undefined;
  const usage: BackendUsage = { cpuMicros: 0, minorFaults: 0 };
  for (const pid of pids) {
    let fields: string[];
    try {
      fields = statFields(`/proc/${pid}/stat`);
    } catch {
      return undefined; // gone: what it used went with it
    }
    usage.cpuMicros += ((Number(fields[UTIME]) + Number(fields[STIME])) * 1_000_000) / TICKS_PER_SECOND;
    usage.minorFaults += Number(fields[MINFLT]);
  }
  return usage;
}
