import type { BenchServer } from './support/bench-server';
import type { BenchSettings } from './support/bench-settings';
import { ResultTable } from './support/result-table';
import { rotate } from './support/rotate';
import { runChild } from './support/run-child';
import type { QueueSystemSpec } from './systems/queue-system.interface';
import { queueSystems } from './systems/queue-systems';
import { queueCases } from './workloads/queue-cases';

/** QueueRun is what the queue part of a run measured. */
export interface QueueRun {
  systems: QueueSystemSpec[];
  results: ResultTable;
}

/**
 * Runs every workload of every system, one child process and one fresh database at a time. The repeats
 * are rounds; within a round each workload runs on every system before the next workload, in an order
 * that rotates from round to round, so the systems compared on a workload run minutes apart at most and
 * a noisy minute on the shared machine spreads over everyone.
 */
export async function measureQueues(server: BenchServer, s: BenchSettings, childEntry: string): Promise<QueueRun> {
  const systems = queueSystems.filter((spec) => !s.systems || s.systems.includes(spec.id));
  const results = new ResultTable();
  const timeoutMs = s.drainCapMs + 180_000;
  for (let round = 1; s.parts.queue && round <= s.repeats; round++) {
    for (const workload of queueCases(s)) {
      for (const spec of rotate(systems, round - 1)) {
        const database = `bench_${spec.id}_${workload.id}_${round}`.replace(/-/g, '_');
        const url = await server.createDatabase(database);
        const reply = await runChild(childEntry, { kind: 'queue', system: spec.id, case: workload.id, url }, timeoutMs);
        await server.dropDatabase(database);
        const where = `[${round}/${s.repeats}] ${spec.label} · ${workload.id}`;
        if (reply.ok && 'metrics' in reply) {
          results.add(workload.id, spec.id, reply.metrics);
          console.log(`${where}: ${format(reply.metrics)}`);
        } else {
          const error = 'error' in reply ? reply.error : 'a policy reply to a queue task';
          results.fail(workload.id, spec.id, error);
          console.error(`${where}: FAILED\n${error}`);
        }
      }
    }
  }
  return { systems, results };
}

/** `jobs/s 5123.4, capped 0` */
export function format(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(Math.abs(value) < 10 ? 2 : 1)}`)
    .join(', ');
}
