import { format } from './measure-queues';
import { sqlClients } from './clients/sql-clients';
import type { BenchServer } from './support/bench-server';
import type { BenchSettings } from './support/bench-settings';
import { ResultTable } from './support/result-table';
import { runChild } from './support/run-child';

/**
 * Measures `SELECT 1` through each client at each concurrency, in rounds. Every client runs in the same
 * process per concurrency, taking turns slice by slice, so the machine's noise falls on all of them alike.
 */
export async function measurePolicy(server: BenchServer, s: BenchSettings, childEntry: string): Promise<ResultTable> {
  const results = new ResultTable();
  const url = await server.createDatabase('bench_policy');
  for (let round = 1; s.parts.policy && round <= s.repeats; round++) {
    for (const concurrency of s.policyConcurrencies) {
      const reply = await runChild(childEntry, { kind: 'policy', concurrency, url }, 300_000);
      for (const client of sqlClients) {
        const where = `[${round}/${s.repeats}] ${client.label} · SELECT 1 at concurrency ${concurrency}`;
        const metrics = reply.ok && 'byClient' in reply ? reply.byClient[client.id] : undefined;
        if (metrics) {
          results.add(String(concurrency), client.id, metrics);
          console.log(`${where}: ${format(metrics)}`);
        } else {
          const error = reply.ok ? 'no measurement for this client' : reply.error;
          results.fail(String(concurrency), client.id, error);
          console.error(`${where}: FAILED\n${error}`);
        }
      }
    }
  }
  await server.dropDatabase('bench_policy');
  return results;
}
