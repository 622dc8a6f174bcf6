import type { BenchServer } from '../support/bench-server';
import { waitUntil } from '../support/wait-until';
import type { BenchPayload, QueueSystemSpec } from '../systems/queue-system.interface';
import { postgresCpuMicros } from './postgres-cpu';
import { type StatementCost, enableStatementCosts, readStatementCosts, resetStatementCosts } from './statement-costs';

/** What one drain cost, per job, over its measured stretch. */
export interface DrainCost {
  system: string;
  jobsPerSecond: number;
  /** CPU of this Node process (the workers run in it), µs per job. */
  nodeMicrosPerJob: number;
  /** CPU of all PostgreSQL processes, µs per job; undefined where it cannot be read. */
  postgresMicrosPerJob: number | undefined;
  /** Empty when the server does not preload pg_stat_statements. */
  statements: StatementCost[];
}

const BATCH = 500;
const DRAIN_LIMIT_MS = 300_000;

/**
 * Pre-inserts `jobs` no-op jobs, starts the workers in this process and measures from the `warmUp`-th
 * handler start (the JIT, the pools and any prefetch have settled by then) to the last one.
 */
export async function measureDrainCost(
  server: BenchServer,
  spec: QueueSystemSpec,
  settings: { jobs: number; warmUp: number; concurrency: number; round: number },
): Promise<DrainCost> {
  const database = `cost_${spec.id}_${settings.round}`.replace(/-/g, '_');
  const url = await server.createDatabase(database);
  const statementsKept = await enableStatementCosts(url);
  const system = await spec.create(url);
  try {
    await system.setup();
    for (let from = 0; from < settings.jobs; from += BATCH) {
      const payloads: BenchPayload[] = [];
      for (let i = from; i < Math.min(settings.jobs, from + BATCH); i++) payloads.push({ i });
      await system.enqueueBatch(payloads);
    }
    let started = 0;
    const deadline = performance.now() + DRAIN_LIMIT_MS;
    await system.startWorkers(settings.concurrency, () => void started++);
    if (!(await waitUntil(() => started >= settings.warmUp, deadline, 1)))
      throw new Error(`${spec.label}: the drain did not start`);
    if (statementsKept) await resetStatementCosts(url);
    const from = started;
    const cpu = process.cpuUsage();
    const postgres = postgresCpuMicros();
    const t0 = performance.now();
    if (!(await waitUntil(() => started >= settings.jobs, deadline, 1)))
      throw new Error(`${spec.label}: the drain did not finish`);
    const elapsedMs = performance.now() - t0;
    const measured = started - from;
    const node = process.cpuUsage(cpu);
    const postgresNow = postgresCpuMicros();
    return {
      system: spec.label,
      jobsPerSecond: (measured * 1000) / elapsedMs,
      nodeMicrosPerJob: (node.user + node.system) / measured,
      postgresMicrosPerJob: postgres === undefined || postgresNow === undefined ? undefined : (postgresNow - postgres) / measured,
      statements: statementsKept ? await readStatementCosts(url, measured) : [],
    };
  } finally {
    await system.close();
    await server.dropDatabase(database);
  }
}
