import type { Database } from '@conductor/nestjs';
import { withAdmin } from '../support/test-database';
import type { ChildMemory } from './child-memory';
import { rssMb } from './process-rss';

/** One look at the system under soak. */
export interface SoakSample {
  atMs: number;
  /** RSS in MB by process label. */
  rss: Record<string, number | undefined>;
  /** What each worker printed last, measured right after a full GC (filled in by the caller). */
  afterGc: Record<string, ChildMemory | undefined>;
  /** Server sessions by application_name. */
  connections: Record<string, number>;
  executions: number;
  finished: number;
  keys: number;
}

/** Samples RSS of the given processes, sessions per application and the queue's table sizes. */
export async function takeSample(
  db: Database,
  database: string,
  processes: Record<string, number>,
  startedAt: number,
): Promise<SoakSample> {
  const sessions = await withAdmin((client) =>
    client.query<{ app: string; n: number }>(
      `SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY 1`,
      [database],
    ),
  );
  const [sizes] = await db.query<{ executions: number; finished: number; keys: number }>(
    `SELECT (SELECT count(*) FROM conductor.executions)::int AS executions,
            (SELECT count(*) FROM conductor.archived_executions)::int AS finished,
            (SELECT count(*) FROM conductor.idempotency_keys)::int AS keys`,
  );
  return {
    atMs: Date.now() - startedAt,
    rss: Object.fromEntries(Object.entries(processes).map(([label, pid]) => [label, rssMb(pid)])),
    afterGc: {},
    connections: Object.fromEntries(sessions.rows.map((r) => [r.app, r.n])),
    ...sizes,
  };
}
