import { Client, Pool } from 'pg';
import type { BenchHandler, BenchPayload, QueueSystem, QueueSystemSpec } from '../queue-system.interface';
import { rawSql } from './raw-sql-statements';
import { RAW_PREFETCH, RawSqlWorker } from './raw-sql-worker';

const POOL_MAX = 10;

/** The raw-SQL queue: no library, the limit of what PostgreSQL does here. */
export const rawSqlSpec: QueueSystemSpec = {
  id: 'raw-sql',
  label: 'raw SQL',
  settings: (concurrency) => ({
    pool: POOL_MAX,
    concurrency,
    fetch: `one loop, UPDATE … SKIP LOCKED LIMIT k into a local buffer of ${RAW_PREFETCH}, refilled below ${concurrency}`,
    complete: 'batched DELETE, one flusher',
    wakeUp: 'LISTEN/NOTIFY, 1 s poll',
  }),
  create: async (url) => new RawSqlSystem(url),
};

class RawSqlSystem implements QueueSystem {
  private readonly pool: Pool;
  private worker: RawSqlWorker | undefined;
  private listener: Client | undefined;

  constructor(private readonly url: string) {
    this.pool = new Pool({ connectionString: url, max: POOL_MAX });
    // An idle connection dropped by the server (the run drops each database as soon as a system has
    // closed) must not crash the run: statements report their own errors.
    this.pool.on('error', () => undefined);
  }

  async setup(): Promise<void> {
    await this.pool.query(rawSql.schema);
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.pool.query({ name: 'bench_insert', text: rawSql.insert, values: [JSON.stringify(payload)] });
  }

  async enqueueBatch(payloads: BenchPayload[]): Promise<void> {
    const values = [payloads.map((p) => JSON.stringify(p))];
    await this.pool.query({ name: 'bench_insert_batch', text: rawSql.insertBatch, values });
  }

  async startWorkers(concurrency: number, handler: BenchHandler): Promise<void> {
    this.listener = new Client({ connectionString: this.url });
    await this.listener.connect();
    this.worker = new RawSqlWorker(this.pool, this.listener, concurrency, handler);
    await this.worker.start();
  }

  async pending(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(rawSql.pending);
    return rows[0].n;
  }

  async close(): Promise<void> {
    await this.worker?.stop();
    await this.listener?.end();
    await this.pool.end();
  }
}
