import type { Database } from '@conductor/nestjs';

/** The tables of `schema` in name order; the partitions of a partitioned table (archived_executions) are not listed. */
export async function tablesOf(db: Database, schema: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.name);
}
