import type { Client } from 'pg';
import { DEFAULT_QUEUE } from '@conductor/nestjs/options/defaults';
import { completionStatement } from '@conductor/nestjs/queue/completion-params';
import { SqlCatalog } from '@conductor/nestjs/queue/sql/sql-catalog';
import { installQueueSchema, uniformInsertValues } from '../support/conductor-statements';
import { rawSql } from '../systems/raw-sql/raw-sql-statements';
import { payloads } from '../workloads/payloads';

/** A fetched row, as the completion statement needs it. */
export type FetchedRow = Record<string, unknown>;

/**
 * CountedSystem is one queue's three statements, sent straight through `pg` as the queue sends them:
 * the batched insert, the fetch and the completion.
 */
export interface CountedSystem {
  id: string;
  label: string;
  /** Installs the queue's tables in the (empty) database of `admin`. */
  setup(admin: Client): Promise<void>;
  /** Inserts the payloads `{ i }` for i in [from, from + count) in one statement. */
  insert(client: Client, from: number, count: number): Promise<void>;
  /** Leases up to `limit` rows in one statement. */
  fetch(client: Client, limit: number): Promise<FetchedRow[]>;
  /** Completes `rows` in one statement. */
  complete(client: Client, rows: FetchedRow[]): Promise<void>;
}

const SCHEMA = 'conductor';
const TASK = 'bench.noop';
/** Any orchestrator id: the fetch writes it into the rows it leases. */
const ORCHESTRATOR = '00000000-0000-7000-8000-00000000c0de';

/** Conductor's statements, at its defaults or with `retentionMs: 0`, from the library's own SQL files. */
function conductor(id: string, label: string, retentionMs: number): CountedSystem {
  const sql = new SqlCatalog(SCHEMA);
  return {
    id,
    label,
    setup: async (admin) => {
      await installQueueSchema(admin, SCHEMA);
    },
    insert: async (client, from, count) => {
      const statement = sql.get('insert_executions_uniform');
      const values = uniformInsertValues(payloads(from, from + count), TASK, 3, 'conductor_bench');
      await client.query({ name: statement.name, text: statement.text, values });
    },
    fetch: async (client, limit) => {
      const statement = sql.get('fetch_executions');
      const values = [[TASK], null, limit, ORCHESTRATOR];
      return (await client.query({ name: statement.name, text: statement.text, values })).rows as FetchedRow[];
    },
    complete: async (client, rows) => {
      const items = rows.map((row) => ({ lease: String(row.lease), resultJson: 'null' }));
      const { name, params } = completionStatement(items, retentionMs);
      const statement = sql.get(name);
      await client.query({ name: statement.name, text: statement.text, values: params });
    },
  };
}

/** The raw-SQL queue's statements (bench/systems/raw-sql). */
const rawSqlSystem: CountedSystem = {
  id: 'raw-sql',
  label: 'raw SQL',
  setup: async (admin) => {
    await admin.query(rawSql.schema);
  },
  insert: async (client, from, count) => {
    const values = [payloads(from, from + count).map((payload) => JSON.stringify(payload))];
    await client.query({ name: 'bench_insert_batch', text: rawSql.insertBatch, values });
  },
  fetch: async (client, limit) =>
    (await client.query({ name: 'bench_fetch', text: rawSql.fetch, values: [limit] })).rows as FetchedRow[],
  complete: async (client, rows) => {
    await client.query({ name: 'bench_complete', text: rawSql.complete, values: [rows.map((row) => row.id)] });
  },
};

/**
 * Every system counted, in report order. A function, not a constant: Conductor's statements are read from
 * the compiled library's folder, where copyLibraryAssets() puts them first.
 */
export function countedSystems(): CountedSystem[] {
  return [
    conductor('conductor', 'Conductor', DEFAULT_QUEUE.retentionMs),
    conductor('conductor-no-retention', 'Conductor (retentionMs: 0)', 0),
    rawSqlSystem,
  ];
}
