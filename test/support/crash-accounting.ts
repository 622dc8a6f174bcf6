import type { Database } from '@conductor/nestjs';

/** The tables the child worker's handlers write to; create them in each crash test's database. */
export const CRASH_TABLES_SQL = `
  CREATE TABLE handled (execution_id uuid NOT NULL, attempt int NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
  CREATE TABLE effects (execution_id uuid NOT NULL, attempt int NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
`;

/** What the database says about a crash run: the figures the tests assert on and report. */
export interface CrashAccount {
  /** Executions in finished_executions with state completed. */
  completed: number;
  /** Executions still in the hot table (queued, running or dead). */
  left: number;
  /** Rows in `handled`, and the executions they cover. */
  handledRows: number;
  handledExecutions: number;
  /** Handled rows beyond the first of their execution: at-least-once repeats. */
  duplicates: number;
  /** Executions run to the end more than once by processes that were never killed: must be 0. */
  repeatedBySurvivors: number;
  /** Completed executions whose handler never recorded a run: must be 0. */
  completedUnhandled: number;
  /** Rows in `effects`, the executions they cover, and executions with more than one. */
  effectRows: number;
  effectExecutions: number;
  doubledEffects: number;
}

/** Reads the accounting of a crash run; `killedPids` are the processes that were SIGKILLed. */
export async function readCrashAccount(db: Database, killedPids: number[]): Promise<CrashAccount> {
  const [row] = await db.query<CrashAccount>(
    `SELECT
       (SELECT count(*) FROM conductor.archived_executions WHERE state = 'completed')::int AS completed,
       (SELECT count(*) FROM conductor.executions)::int AS left,
       (SELECT count(*) FROM handled)::int AS "handledRows",
       (SELECT count(DISTINCT execution_id) FROM handled)::int AS "handledExecutions",
       (SELECT count(*) - count(DISTINCT execution_id) FROM handled)::int AS duplicates,
       (SELECT count(*) FROM (SELECT 1 FROM handled WHERE pid <> ALL ($1::int[])
                              GROUP BY execution_id HAVING count(*) > 1) AS r)::int AS "repeatedBySurvivors",
       (SELECT count(*) FROM conductor.archived_executions f
        WHERE f.state = 'completed' AND f.task = 'crash.record'
          AND NOT EXISTS (SELECT 1 FROM handled h WHERE h.execution_id = f.id))::int AS "completedUnhandled",
       (SELECT count(*) FROM effects)::int AS "effectRows",
       (SELECT count(DISTINCT execution_id) FROM effects)::int AS "effectExecutions",
       (SELECT count(*) FROM (SELECT 1 FROM effects GROUP BY execution_id HAVING count(*) > 1) AS d)::int AS "doubledEffects"`,
    [killedPids],
  );
  return row;
}

/** Executions currently leased by the orchestrator of process `pid`. */
export async function leasedBy(db: Database, pid: number): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM conductor.executions e JOIN conductor.orchestrators o ON o.id = e.locked_by
     WHERE e.state = 'running' AND o.pid = $1`,
    [pid],
  );
  return row.n;
}

/** Rows `handled` (or, for transactional handlers, `effects`) holds from process `pid`. */
export async function handledBy(db: Database, pid: number, table: 'handled' | 'effects' = 'handled'): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE pid = $1`, [pid]);
  return row.n;
}
