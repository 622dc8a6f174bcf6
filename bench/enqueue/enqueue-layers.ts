import { Client } from 'pg';
import { Database, QueueService, getDatabaseToken, readMigrations } from '@conductor/nestjs';
import { type PreparedItem, insertValues, uniformParams } from '@conductor/nestjs/queue/insert-params';
import { SqlCatalog, bindSchema } from '@conductor/nestjs/queue/sql/sql-catalog';
import { freshUuidArray } from '@conductor/nestjs/queue/uuid-array-param';
import type { BenchServer } from '../support/bench-server';
import { createConductorApp } from '../support/conductor-app';
import { BENCH_HANDLER, BENCH_TASK, BenchTasks } from '../systems/conductor/bench-tasks';
import { POOL_MAX } from '../systems/conductor/conductor.system';
import { rawSqlSpec } from '../systems/raw-sql/raw-sql.system';
import type { BenchPayload } from '../systems/queue-system.interface';

/** One way of enqueueing a batch, on its own database: a layer of Conductor's path, or the raw queue. */
export interface EnqueueLayer {
  id: string;
  label: string;
  enqueueBatch(payloads: BenchPayload[]): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = 'conductor';
const CHANNEL = 'conductor_bench';
const MAX_ATTEMPTS = 5;

/**
 * The layers of a batched invoke, each on a fresh database of `server`, from the outside in: the raw
 * queue's insert (the benchmark's raw-SQL system), Conductor's insert statement sent straight through
 * `pg`, the same statement through the `Database` handle (pool, policy, instrumentation), and
 * `invokeBatch` (validation, ids, serialization, then the same statement). The statement's parameters are
 * made as the producer makes them: fresh binary ids and the payloads' JSON joined by the separator.
 */
export async function enqueueLayers(server: BenchServer): Promise<EnqueueLayer[]> {
  const sql = new SqlCatalog(SCHEMA);
  const statement = sql.get('insert_executions_uniform');
  const values = (payloads: BenchPayload[]): unknown[] => {
    const items = freshItems(payloads);
    const params = uniformParams(items.items, items.ids);
    if (!params) throw new Error('a batch without options should go as two texts');
    return insertValues(params, CHANNEL);
  };

  const raw = await rawSqlSpec.create(await server.createDatabase('enqueue_layer_raw'));
  await raw.setup();

  const bare = new Client({ connectionString: await server.createDatabase('enqueue_layer_statement') });
  await bare.connect();
  for (const migration of readMigrations()) await bare.query(bindSchema(migration.sql, SCHEMA));

  // One application for the two inner layers (two would register two TypeORM data sources named main).
  const url = await server.createDatabase('enqueue_layer_conductor');
  const app = await createConductorApp(
    { databases: { main: { url, pool: { max: POOL_MAX } } }, queue: { database: 'main', workers: false } },
    [BenchTasks, { provide: BENCH_HANDLER, useValue: () => undefined }],
  );
  const queue = app.get(QueueService);
  // The queue migrates when it starts: stats() waits for that.
  await queue.stats();
  const db = app.get<Database>(getDatabaseToken('main'));

  return [
    { id: 'raw-sql', label: 'raw SQL: its insert', enqueueBatch: (p) => raw.enqueueBatch(p), close: () => raw.close() },
    {
      id: 'statement',
      label: "Conductor's insert statement through pg",
      enqueueBatch: async (p) => {
        await bare.query({ name: statement.name, text: statement.text, values: values(p) });
      },
      close: () => bare.end(),
    },
    {
      id: 'database',
      label: 'the same through Database.query',
      enqueueBatch: async (p) => {
        await db.query(statement.text, values(p), { name: statement.name, idempotent: false, route: 'primary' });
      },
      close: async () => undefined,
    },
    {
      id: 'invoke-batch',
      label: 'QueueService.invokeBatch',
      enqueueBatch: async (p) => {
        await queue.invokeBatch(p.map((payload) => ({ task: BENCH_TASK, payload })));
      },
      close: () => app.close(),
    },
  ];
}

/** The batch's items as the producer prepares them when they carry no options. */
function freshItems(payloads: BenchPayload[]): { items: PreparedItem[]; ids: Buffer } {
  const fresh = freshUuidArray(payloads.length);
  const items = payloads.map((payload, i): PreparedItem => ({
    id: fresh.ids[i],
    task: BENCH_TASK,
    queue: 'default',
    maxAttempts: MAX_ATTEMPTS,
    payload: JSON.stringify(payload),
    optionMembers: '',
  }));
  return { items, ids: fresh.param };
}
