import { format } from './measure-queues';
import { sqlClients } from './clients/sql-clients';
import type { BenchServer } from './support/bench-server';
import type { BenchSettings } from './support/bench-settings';
import { ResultTable } from './support/result-table';
import { runChild } from './support/run-child';

/** Measures `SELECT 1` through each client at each concurrency, in rounds, each run in its own process. */
export async function measurePolicy(server: BenchServer, s: BenchSettings, childEntry: string): Promise<ResultTable> {
  const results = new ResultTable();
  const url = await server.createDatabase('bench_policy');
  for (let round = 1; s.parts.policy && round <= s.repeats; round++) {
    for (const client of sqlClients) {
      for (const concurrency of s.policyConcurrencies) {
        const reply = await runChild(childEntry, { kind: 'policy', client: client.id, concurrency, url }, 300_000);
        const where = `[${round}/${s.repeats}] ${client.label} · SELECT 1 at concurrency ${concurrency}`;
        if (reply.ok) {
          results.add(String(concurrency), client.id, reply.metrics);
          console.log(`${where}: ${format(reply.metrics)}`);
        } else {
          results.fail(String(concurrency), client.id, reply.error);
          console.error(`${where}: FAILED\n${reply.error}`);
        }
      }
    }
  }
  await server.dropDatabase('bench_policy');
  return results;
}
