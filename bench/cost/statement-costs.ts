import { Client } from 'pg';
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
}

const STATEMENTS = readSql('cost', 'statement-costs.sql');
const SHOWN = 4;

/** Tries to enable pg_stat_statements in the database of `url`; false when the server did not preload it. */
export async function enableStatementCosts(url: string): Promise<boolean> {
  return withClient(url, async (client) => {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('SELECT pg_stat_statements_reset()');
      return true;
    } catch {
      return false;
    }
  });
}

/** Starts a measured stretch: forgets what every statement cost so far. */
export async function resetStatementCosts(url: string): Promise<void> {
  await withClient(url, (client) => client.query('SELECT pg_stat_statements_reset()'));
}

/** The costliest statements of the database of `url` since the reset, per job of the `jobs` measured. */
export async function readStatementCosts(url: string, jobs: number): Promise<StatementCost[]> {
  const { rows } = await withClient(url, (client) =>
    client.query<{ calls: number; rows: string; total_ms: number; query: string }>(STATEMENTS, [SHOWN]),
  );
  return rows.map((row) => ({
    label: labelOf(row.query),
    calls: row.calls,
    rowsPerCall: Math.round(Number(row.rows) / Math.max(1, row.calls)),
    microsPerJob: (row.total_ms * 1000) / jobs,
  }));
}

/** The start of the statement, whitespace collapsed: enough to tell the fetch, the completion and the rest apart. */
function labelOf(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
