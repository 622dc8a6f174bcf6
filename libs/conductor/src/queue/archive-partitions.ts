import type { Database } from '../database/database';
import type { SqlCatalog, Statement } from './sql/sql-catalog';

/** The narrowest partition of finished executions: short retentions must not churn the catalog. */
export const ARCHIVE_PARTITION_MIN_MS = 60_000;
/** The widest: a long retention still drops a day at a time. */
export const ARCHIVE_PARTITION_MAX_MS = 24 * 60 * 60 * 1_000;
/** Partitions are made this many widths ahead of now, so a missed cleanup or two leaves no gap. */
export const ARCHIVE_PARTITIONS_AHEAD = 2;

/**
 * How wide the partitions of archived_executions are made (migration 0006): a quarter of the retention,
 * so a finished execution is kept at least `retentionMs` and at most a quarter longer (plus a cleanup
 * interval), with about seven partitions alive; at least a minute, at most a day.
 */
export function archivePartitionWidthMs(retentionMs: number): number {
  return Math.min(ARCHIVE_PARTITION_MAX_MS, Math.max(ARCHIVE_PARTITION_MIN_MS, Math.round(retentionMs / 4)));
}

/** The parameters of prepare-archive-partitions.sql for `retentionMs`: the partitions' width and how far ahead they reach, in ms. */
export function archivePartitionParams(retentionMs: number): [widthMs: number, aheadMs: number] {
  const width = archivePartitionWidthMs(retentionMs);
  return [width, ARCHIVE_PARTITIONS_AHEAD * width];
}

/**
 * Makes the partitions that will hold the executions finishing from now until two widths ahead; returns
 * how many it made. With `retentionMs` 0 nothing is kept and nothing is made.
 */
export async function prepareArchivePartitions(
  db: Database,
  sql: SqlCatalog,
  retentionMs: number,
  signal?: AbortSignal,
): Promise<number> {
  if (retentionMs <= 0) return 0;
  return countFrom(db, sql.get('prepare_archive_partitions'), archivePartitionParams(retentionMs), signal);
}

/** Drops the partitions whose every execution finished more than `retentionMs` ago; returns how many. */
export async function dropArchivePartitions(
  db: Database,
  sql: SqlCatalog,
  retentionMs: number,
  signal?: AbortSignal,
): Promise<number> {
  return countFrom(db, sql.get('drop_archive_partitions'), [retentionMs], signal);
}

/** Runs one of the partition functions' statements, which answer how many partitions they made or dropped. */
async function countFrom(db: Database, statement: Statement, params: unknown[], signal?: AbortSignal): Promise<number> {
  const [row] = await db.query<{ partitions: number }>(statement.text, params, {
    name: statement.name,
    idempotent: true,
    route: 'primary',
    signal,
  });
  return row.partitions;
}
