import { Client } from 'pg';
import { Database, QueueService, getDatabaseToken } from '@conductor/nestjs';
import { sendStatement } from '@conductor/nestjs/database/send-statement';
import { SqlCatalog, type Statement } from '@conductor/nestjs/queue/sql/sql-catalog';
import type { BenchServer } from '../support/bench-server';
import { createConductorApp } from '../support/conductor-app';
import { installQueueSchema, uniformInsertValues } from '../support/conductor-statements';
import { BENCH_HANDLER, BENCH_TASK, BenchTasks } from '../systems/conductor/bench-tasks';
import { POOL_MAX } from '../systems/conductor/conductor.system';
import { rawSqlSpec } from '../systems/raw-sql/raw-sql.system';
import type { BenchPayload } from '../systems/queue-system.interface';

/** One way of enqueueing a batch, on its own database: a layer of Conductor's path, or the raw queue. */
export interface EnqueueLayer {
  id: string;
  label: string;
  /** The layer's own database: its backends are the ones connected to it. */
  database: string;
  enqueueBatch(payloads: BenchPayload[]): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = 'conductor';
const CHANNEL = 'conductor_bench';
const MAX_ATTEMPTS = 5;

/**
 * The layers of a batched invoke, from the outside in: the raw queue's insert (the benchmark's raw-SQL
 * system), Conductor's insert statement sent straight on a `pg` client as `Database` sends it
 * (send-statement.ts), the same statement through the `Database` handle (pool, policy, instrumentation),
 * and `invokeBatch` (validation, ids, serialization, then the same statement). Each has a fresh database
 * of `server`, so every table grows alike. The statement's parameters are made as the producer makes
 * them: fresh binary ids and the payloads' JSON joined by the separator. Whatever was opened is closed
 * again when a later layer fails to open.
 */
export async function enqueueLayers(server: BenchServer): Promise<EnqueueLayer[]> {
  // Read here, not on import: the SQL files reach the build's folder only when main() copies them.
  const insert = new SqlCatalog(SCHEMA).get('insert_executions_uniform');
  const layers: EnqueueLayer[] = [];
  try {
    layers.push(await rawLayer(server));
    layers.push(await statementLayer(server, insert));
    layers.push(await databaseLayer(server, insert));
    layers.push(await invokeLayer(server));
    return layers;
  } catch (error) {
    for (const layer of layers) await layer.close().catch(() => undefined);
    throw error;
  }
}

async function rawLayer(server: BenchServer): Promise<EnqueueLayer> {
  const database = 'enqueue_layer_raw';
  const raw = await rawSqlSpec.create(await server.createDatabase(database));
  await raw.setup();
  return {
    id: 'raw-sql',
    label: 'raw SQL: its insert',
    database,
    enqueueBatch: (p) => raw.enqueueBatch(p),
    close: () => raw.close(),
  };
}

async function statementLayer(server: BenchServer, insert: Statement): Promise<EnqueueLayer> {
  const database = 'enqueue_layer_statement';
  const bare = new Client({ connectionString: await migratedDatabase(server, database) });
  await bare.connect();
  return {
    id: 'statement',
    label: "Conductor's insert statement through pg",
    database,
    // As Database sends it: a statement this large has its Bind written by Conductor (send-statement.ts).
    enqueueBatch: async (p) => {
      await sendStatement(bare, insert.text, uniformInsertValues(p, BENCH_TASK, MAX_ATTEMPTS, CHANNEL), insert.name);
    },
    close: () => bare.end(),
  };
}

async function databaseLayer(server: BenchServer, insert: Statement): Promise<EnqueueLayer> {
  const database = 'enqueue_layer_database';
  const url = await migratedDatabase(server, database);
  // A database key of its own and no queue: its TypeORM data source is not named like the next layer's.
  const app = await createConductorApp({ databases: { layer: { url, pool: { max: POOL_MAX } } } });
  const db = app.get<Database>(getDatabaseToken('layer'));
  return {
    id: 'database',
    label: 'the same through Database.query',
    database,
    enqueueBatch: async (p) => {
      await db.query(insert.text, uniformInsertValues(p, BENCH_TASK, MAX_ATTEMPTS, CHANNEL), {
        name: insert.name,
        idempotent: false,
        route: 'primary',
      });
    },
    close: () => app.close(),
  };
}

async function invokeLayer(server: BenchServer): Promise<EnqueueLayer> {
  const database = 'enqueue_layer_invoke';
  const url = await server.createDatabase(database);
  const app = await createConductorApp(
    { databases: { main: { url, pool: { max: POOL_MAX } } }, queue: { database: 'main', workers: false } },
    [BenchTasks, { provide: BENCH_HANDLER, useValue: () => undefined }],
  );
  const queue = app.get(QueueService);
  try {
    // The queue migrates when it starts: stats() waits for that.
    await queue.stats();
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    id: 'invoke-batch',
    label: 'QueueService.invokeBatch',
    database,
    enqueueBatch: async (p) => {
      await queue.invokeBatch(p.map((payload) => ({ task: BENCH_TASK, payload })));
    },
    close: () => app.close(),
  };
}

/** A fresh database named `name` with the queue's schema, migrated as the library migrates it. */
async function migratedDatabase(server: BenchServer, name: string): Promise<string> {
  const url = await server.createDatabase(name);
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await installQueueSchema(admin, SCHEMA);
  } finally {
    await admin.end();
  }
  return url;
}
