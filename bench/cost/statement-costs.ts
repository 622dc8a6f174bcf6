import type { Client } from 'pg';
import { readSql } from '../support/read-sql';

/** One statement's share of a measured stretch. */
export interface StatementCost {
  /** The start of the statement's text. */
  label: string;
  calls: number;
  /** Rows returned or changed per call. */
  rowsPerCall: number;
  /** Execution time per measured job, in µs. */
  microsPerJob: number;
  /** WAL written per measured job, in bytes. */
  walBytesPerJob: number;
  /** Full-page images written per 1,000 measured jobs: the first change to a page after a checkpoint writes the whole page. */
  fullPagesPerThousandJobs: number;
}

const STATEMENTS = readSql('cost', 'statement-costs.sql');
const SHOWN = 4;

/**
 * Enables pg_stat_statements in the client's database and forgets what it holds. Returns why statements
 * cannot be read there, and what to do, or undefined when they can.
 */
export async function enableStatementCosts(client: Client): Promise<string | undefined> {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // CREATE EXTENSION succeeds without the library; the first call then names the missing setting.
    if (reason.includes('shared_preload_libraries'))
      return 'pg_stat_statements is not loaded on that server: add shared_preload_libraries=pg_stat_statements and restart it';
    return `pg_stat_statements could not be enabled (${reason}): create the extension as a superuser`;
  }
}

/** Starts a measured stretch: forgets what every statement cost so far. */
export async function resetStatementCosts(client: Client): Promise<void> {
  await client.query('SELECT pg_stat_statements_reset()');
}

/** The costliest statements of the client's database since the reset, per job of the `jobs` measured. */
export async function readStatementCosts(client: Client, jobs: number): Promise<StatementCost[]> {
  const { rows } = await client.query<{
    calls: number;
    rows: string;
    total_ms: number;
    wal_bytes: number;
    wal_fpi: string;
    query: string;
  }>(STATEMENTS, [SHOWN]);
  return rows.map((row) => ({
    label: labelOf(row.query),
    calls: row.calls,
    rowsPerCall: Math.round(Number(row.rows) / Math.max(1, row.calls)),
    microsPerJob: (row.total_ms * 1000) / jobs,
    walBytesPerJob: row.wal_bytes / jobs,
    fullPagesPerThousandJobs: (Number(row.wal_fpi) * 1000) / jobs,
  }));
}

/** The start of the statement, whitespace collapsed: enough to tell the fetch, the completion and the rest apart. */
function labelOf(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}
