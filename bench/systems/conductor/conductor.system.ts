import type { INestApplicationContext } from '@nestjs/common';
import { type ConductorModuleOptions, QueueService } from '@conductor/nestjs';
import { createConductorApp } from '../../support/conductor-app';
import type { BenchHandler, BenchPayload, QueueSystem, QueueSystemSpec } from '../queue-system.interface';
import { BENCH_HANDLER, BENCH_TASK, BenchTasks } from './bench-tasks';

export const POOL_MAX = 10;

type QueueTuning = Partial<NonNullable<ConductorModuleOptions['queue']>>;

function options(url: string, concurrency: number, workers: boolean, tuning: QueueTuning): ConductorModuleOptions {
  return { databases: { main: { url, pool: { max: POOL_MAX } } }, queue: { ...tuning, database: 'main', concurrency, workers } };
}

/** Conductor at its defaults (only the pool size and the concurrency are set). */
export const conductorSpec: QueueSystemSpec = {
  id: 'conductor',
  label: 'Conductor',
  settings: (concurrency) => ({ pool: { max: POOL_MAX }, concurrency, 'everything else': 'defaults' }),
  create: async (url) => new ConductorSystem(url, {}),
};

/**
 * Conductor keeping nothing once finished, as graphile-worker and the raw-SQL queue do: a completion is
 * a DELETE, without the copy into archived_executions that the default retention of a day costs.
 */
export const conductorNoRetentionSpec: QueueSystemSpec = {
  id: 'conductor-no-retention',
  label: 'Conductor (retentionMs: 0)',
  settings: (concurrency) => ({ pool: { max: POOL_MAX }, concurrency, retentionMs: 0, 'everything else': 'defaults' }),
  create: async (url) => new ConductorSystem(url, { retentionMs: 0 }),
};

class ConductorSystem implements QueueSystem {
  private app: INestApplicationContext | undefined;
  private queue: QueueService | undefined;

  constructor(
    private readonly url: string,
    private readonly tuning: QueueTuning,
  ) {}

  async setup(): Promise<void> {
    // A producer-only process: it migrates and invokes, its workers stay off until startWorkers.
    await this.open(false, 10, () => undefined);
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.service().invoke(BENCH_TASK, payload);
  }

  async enqueueBatch(payloads: BenchPayload[]): Promise<void> {
    await this.service().invokeBatch(payloads.map((payload) => ({ task: BENCH_TASK, payload })));
  }

  /** Replaces the producer with an application that runs workers (and invokes, for the trickle). */
  async startWorkers(concurrency: number, handler: BenchHandler): Promise<void> {
    // One application at a time: two in a process would register two TypeORM data sources named `main`.
    await this.app?.close();
    await this.open(true, concurrency, handler);
  }

  async pending(): Promise<number> {
    const { tasks } = await this.service().stats();
    return tasks.reduce((sum, t) => sum + t.queued + t.running, 0);
  }

  async close(): Promise<void> {
    await this.app?.close();
  }

  private async open(workers: boolean, concurrency: number, handler: BenchHandler): Promise<void> {
    const providers = [BenchTasks, { provide: BENCH_HANDLER, useValue: handler }];
    this.app = await createConductorApp(options(this.url, concurrency, workers, this.tuning), providers);
    this.queue = this.app.get(QueueService);
  }

  private service(): QueueService {
    if (!this.queue) throw new Error('setup() first');
    return this.queue;
  }
}
