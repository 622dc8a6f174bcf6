import type { Database } from '@conductor/nestjs';

/** The tables in-process ledger handlers write to (the same shape the child worker's handlers use). */
export { CRASH_TABLES_SQL as LEDGER_TABLES_SQL } from '../../support/crash-accounting';

/**
 * What the database says about the jobs whose `invoke` returned: each must be completed exactly once,
 * or dead with its error. `effects` is the table exactly-once handlers write one row per run to.
 */
export interface Ledger {
  jobs: number;
  completed: number;
  dead: number;
  /** Neither completed nor dead: still queued or running, or gone. Must be 0 once the queue drained. */
  lost: number;
  /** Jobs with more than one effect row where exactly once is promised. */
  doubled: number;
  /** Completed jobs without any effect row (the handler never ran to the end): must be 0. */
  unhandled: number;
  /** Jobs present in the database whose `invoke` did not return (it failed after the row was written). */
  unacknowledged: number;
}

/** Reads the ledger of `ids` in `schema`; `effectsTable` holds one row per handler run. */
export async function readLedger(
  db: Database,
  ids: string[],
  options: { schema?: string; effectsTable?: string; exactlyOnce?: boolean } = {},
): Promise<Ledger> {
  const schema = `"${(options.schema ?? 'conductor').replaceAll('"', '""')}"`;
  const effects = options.effectsTable ?? 'effects';
  const [row] = await db.query<Ledger>(
    `WITH ids AS (SELECT DISTINCT unnest($1::uuid[]) AS id),
          runs AS (SELECT execution_id AS id, count(*)::int AS n FROM ${effects} GROUP BY 1)
     SELECT count(*)::int AS jobs,
            count(*) FILTER (WHERE f.state = 'completed' AND e.id IS NULL)::int AS completed,
            count(*) FILTER (WHERE e.state = 'dead' AND e.errors <> '[]' AND f.id IS NULL)::int AS dead,
            count(*) FILTER (WHERE (f.id IS NULL OR f.state <> 'completed') AND (e.id IS NULL OR e.state <> 'dead'))::int AS lost,
            count(*) FILTER (WHERE $2 AND r.n > 1)::int AS doubled,
            count(*) FILTER (WHERE f.state = 'completed' AND r.n IS NULL)::int AS unhandled,
            (SELECT count(*) FROM (SELECT id FROM ${schema}.executions UNION ALL SELECT id FROM ${schema}.archived_executions) AS a
             WHERE a.id NOT IN (SELECT id FROM ids))::int AS unacknowledged
     FROM ids
     LEFT JOIN ${schema}.archived_executions f USING (id)
     LEFT JOIN ${schema}.executions e USING (id)
     LEFT JOIN runs r USING (id)`,
    [ids, options.exactlyOnce ?? true],
  );
  return row;
}

/** Effect rows beyond the first of their job: the at-least-once repeats of idempotent handlers. */
export async function repeatedRuns(db: Database, table = 'handled'): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT (count(*) - count(DISTINCT execution_id))::int AS n FROM ${table}`);
  return row.n;
}
