import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import type { BenchHandler, BenchPayload, QueueSystem, QueueSystemSpec } from './queue-system.interface';

const TASK = 'bench_noop';
// Errors only: graphile-worker logs every worker start and stop at info.
const quiet = new Logger(() => (level, message) => {
  if (level === 'error') console.error(`[graphile-worker] ${message}`);
});

/** The settings graphile-worker's performance page runs with: local queue and batched completion. */
function tunedPreset(concurrency: number): Record<string, unknown> {
  return {
    localQueue: { size: 500 },
    completeJobBatchDelay: 0,
    failJobBatchDelay: 0,
    // Its docs: "10 or concurrentJobs + 2, whichever is larger".
    maxPoolSize: Math.max(10, concurrency + 2),
  };
}

/** graphile-worker at its defaults (only the concurrency is set). */
export const graphileDefaultsSpec: QueueSystemSpec = {
  id: 'graphile-defaults',
  label: 'graphile-worker (defaults)',
  settings: (concurrency) => ({ concurrency, maxPoolSize: 10, pollInterval: 2000, localQueue: 'off', completeJobBatchDelay: -1 }),
  create: async (url) => new GraphileWorkerSystem(url, () => ({})),
};

/** graphile-worker at its best documented settings. */
export const graphileTunedSpec: QueueSystemSpec = {
  id: 'graphile-tuned',
  label: 'graphile-worker (tuned)',
  settings: (concurrency) => ({ concurrency, ...tunedPreset(concurrency) }),
  create: async (url) => new GraphileWorkerSystem(url, tunedPreset),
};

class GraphileWorkerSystem implements QueueSystem {
  private utils: WorkerUtils | undefined;
  private runner: Runner | undefined;

  constructor(
    private readonly url: string,
    private readonly preset: (concurrency: number) => Record<string, unknown>,
  ) {}

  async setup(): Promise<void> {
    this.utils = await makeWorkerUtils({ connectionString: this.url, logger: quiet });
    await this.utils.migrate();
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.producer().addJob(TASK, payload);
  }

  async enqueueBatch(payloads: BenchPayload[]): Promise<void> {
    await this.producer().addJobs(payloads.map((payload) => ({ identifier: TASK, payload })));
  }

  async startWorkers(concurrency: number, handler: BenchHandler): Promise<void> {
    this.runner = await run({
      connectionString: this.url,
      concurrency,
      noHandleSignals: true,
      logger: quiet,
      taskList: { [TASK]: async (payload) => handler(payload as BenchPayload) },
      preset: { worker: this.preset(concurrency) },
    });
  }

  async pending(): Promise<number> {
    const rows = await this.producer().withPgClient((client) =>
      client.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker._private_jobs'),
    );
    return rows.rows[0].n;
  }

  async close(): Promise<void> {
    await this.runner?.stop();
    await this.utils?.release();
  }

  private producer(): WorkerUtils {
    if (!this.utils) throw new Error('setup() first');
    return this.utils;
  }
}
