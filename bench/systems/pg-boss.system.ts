import { PgBoss } from 'pg-boss';
import { runConcurrently } from '../support/run-concurrently';
import type { BenchHandler, BenchPayload, QueueSystem, QueueSystemSpec } from './queue-system.interface';

const QUEUE = 'bench_noop';

/**
 * How pg-boss runs workers: `localConcurrency` loops each fetch `batchSize` jobs and hand them to one
 * handler call, which runs them `perBatch` at a time (so at most `concurrency` run at once).
 */
interface BossTuning {
  listen: boolean;
  work(concurrency: number): { localConcurrency: number; batchSize?: number; [option: string]: unknown };
  perBatch(concurrency: number): number;
}

const defaults: BossTuning = {
  listen: false,
  work: (concurrency) => ({ localConcurrency: concurrency }),
  perBatch: () => 1,
};

// Two loops, so one fetches while the other's batch runs; 2 × 250 jobs claimed ahead, as graphile-worker's
// tuned local queue of 500; no pause between fetches while they come back full; LISTEN/NOTIFY wake-up.
const tuned: BossTuning = {
  listen: true,
  work: () => ({ localConcurrency: 2, batchSize: 250, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }),
  perBatch: (concurrency) => Math.max(1, Math.floor(concurrency / 2)),
};

/** pg-boss at its defaults (one job per fetch, 2 s polling); only the concurrency is set. */
export const pgBossDefaultsSpec: QueueSystemSpec = {
  id: 'pgboss-defaults',
  label: 'pg-boss (defaults)',
  settings: (concurrency) => ({
    max: 10,
    useListenNotify: false,
    ...defaults.work(concurrency),
    batchSize: 1,
    pollingIntervalSeconds: 2,
  }),
  create: async (url) => new PgBossSystem(url, defaults),
};

/** pg-boss tuned: batched fetches, LISTEN/NOTIFY, burst polling. */
export const pgBossTunedSpec: QueueSystemSpec = {
  id: 'pgboss-tuned',
  label: 'pg-boss (tuned)',
  settings: (concurrency) => ({
    max: 10,
    useListenNotify: true,
    queueNotify: true,
    ...tuned.work(concurrency),
    'jobs of a batch run at once': tuned.perBatch(concurrency),
  }),
  create: async (url) => new PgBossSystem(url, tuned),
};

class PgBossSystem implements QueueSystem {
  private readonly boss: PgBoss;

  constructor(
    url: string,
    private readonly tuning: BossTuning,
  ) {
    this.boss = new PgBoss({ connectionString: url, useListenNotify: tuning.listen });
    this.boss.on('error', (error) => console.error('[pg-boss]', error));
  }

  async setup(): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(QUEUE, this.tuning.listen ? { notify: true } : {});
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.boss.send(QUEUE, payload);
  }

  async enqueueBatch(payloads: BenchPayload[]): Promise<void> {
    await this.boss.insert(
      QUEUE,
      payloads.map((data) => ({ data })),
    );
  }

  async startWorkers(concurrency: number, handler: BenchHandler): Promise<void> {
    const perBatch = this.tuning.perBatch(concurrency);
    await this.boss.work<BenchPayload>(QUEUE, this.tuning.work(concurrency), (jobs) =>
      runConcurrently(jobs.length, perBatch, async (i) => handler(jobs[i].data)),
    );
  }

  async pending(): Promise<number> {
    const result = await this.boss
      .getDb()
      .executeSql(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'`, [QUEUE]);
    return (result.rows[0] as { n: number }).n;
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}
