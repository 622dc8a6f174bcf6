import { Client } from 'pg';
import type { BenchServer } from '../support/bench-server';
import { BATCH_SIZE } from '../support/bench-settings';
import { waitUntil } from '../support/wait-until';
import type { QueueSystemSpec } from '../systems/queue-system.interface';
import { enqueueInBatches } from '../workloads/payloads';
import { HandlerStarts } from './handler-starts';
import { mainThreadCpuMicros } from './main-thread-cpu';
import { postgresCpuMicros } from './postgres-cpu';
import { type StatementCost, enableStatementCosts, readStatementCosts, resetStatementCosts } from './statement-costs';

/** What one drain cost, per job, over its measured stretch. */
export interface DrainCost {
  system: string;
  jobsPerSecond: number;
  /** CPU of this Node process (the workers run in it), µs per job. */
  nodeMicrosPerJob: number;
  /** The part of it on the main thread, which runs JavaScript; undefined where it cannot be read. */
  mainThreadMicrosPerJob: number | undefined;
  /** CPU of the embedded server (postmaster and backends), µs per job; undefined where it cannot be read. */
  postgresMicrosPerJob: number | undefined;
  /** Empty when pg_stat_statements cannot be read; `statementsMissing` then says why and what to do. */
  statements: StatementCost[];
  statementsMissing?: string;
}

const DRAIN_LIMIT_MS = 300_000;

/**
 * Pre-inserts `jobs` no-op jobs, starts the workers in this process and measures from the `warmUp`-th
 * handler start (the JIT, the pools and any prefetch have settled by then) until the database holds no
 * unfinished job, so that every column covers the same stretch, completions included.
 */
export async function measureDrainCost(
  server: BenchServer,
  spec: QueueSystemSpec,
  settings: { jobs: number; warmUp: number; concurrency: number; round: number },
): Promise<DrainCost> {
  const database = `cost_${spec.id}_${settings.round}`.replace(/-/g, '_');
  const url = await server.createDatabase(database);
  const statementsClient = new Client({ connectionString: url });
  await statementsClient.connect();
  const system = await spec.create(url);
  try {
    const statementsMissing = await enableStatementCosts(statementsClient);
    await system.setup();
    await enqueueInBatches(system, 0, settings.jobs, BATCH_SIZE);
    const deadline = performance.now() + DRAIN_LIMIT_MS;
    const starts = new HandlerStarts(spec.label, deadline, DRAIN_LIMIT_MS);
    await system.startWorkers(settings.concurrency, starts.onStart);
    await starts.reached(settings.warmUp);
    if (!statementsMissing) await resetStatementCosts(statementsClient);
    const from = starts.started;
    const cpu = process.cpuUsage();
    const mainThread = mainThreadCpuMicros();
    const postgres = postgresCpuMicros(server.dataDir);
    const t0 = performance.now();
    await starts.reached(settings.jobs);
    if (!(await waitUntil(async () => (await system.pending()) === 0, deadline)))
      throw new Error(
        `${spec.label}: ${await system.pending()} jobs still unfinished after the limit of ${DRAIN_LIMIT_MS / 1000} s`,
      );
    const elapsedMs = performance.now() - t0;
    const node = process.cpuUsage(cpu);
    const mainThreadNow = mainThreadCpuMicros();
    const postgresNow = postgresCpuMicros(server.dataDir);
    const measured = settings.jobs - from;
    return {
      system: spec.label,
      jobsPerSecond: (measured * 1000) / elapsedMs,
      nodeMicrosPerJob: (node.user + node.system) / measured,
      mainThreadMicrosPerJob: perJob(mainThread, mainThreadNow, measured),
      postgresMicrosPerJob: perJob(postgres, postgresNow, measured),
      statements: statementsMissing ? [] : await readStatementCosts(statementsClient, measured),
      statementsMissing,
    };
  } finally {
    await system.close();
    await statementsClient.end();
    await server.dropDatabase(database);
  }
}

/** What a reading grew by over the measured stretch, per job; undefined when either reading is missing. */
function perJob(before: number | undefined, after: number | undefined, jobs: number): number | undefined {
  return before === undefined || after === undefined ? undefined : (after - before) / jobs;
}
