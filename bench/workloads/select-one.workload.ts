import type { BenchSettings } from '../support/bench-settings';
import { runConcurrently } from '../support/run-concurrently';
import type { SqlClient } from '../clients/sql-client.interface';
import type { Metrics } from './metrics';

/** Runs `SELECT 1` with `concurrency` calls in flight, after an untimed warm-up; reports the time per call. */
export async function selectOne(client: SqlClient, s: BenchSettings, concurrency: number): Promise<Metrics> {
  const calls = s.policyCalls[concurrency] ?? 1_000;
  await runConcurrently(Math.ceil(calls / 5), concurrency, () => client.selectOne());
  const started = performance.now();
  await runConcurrently(calls, concurrency, () => client.selectOne());
  const elapsedMs = performance.now() - started;
  return { 'µs/query': (elapsedMs * 1000) / calls, 'queries/s': calls / (elapsedMs / 1000) };
}
