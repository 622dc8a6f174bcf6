import type { BenchSettings } from '../support/bench-settings';
import { runConcurrently } from '../support/run-concurrently';
import type { SqlClient } from '../clients/sql-client.interface';
import type { Metrics } from './metrics';

/**
 * Slices each client's calls are cut into. The clients take turns, slice by slice, in a rotating order:
 * a minute of noise on this shared machine then falls on every client alike, where one client after
 * another measured each in a different minute (ratios moved by ±10 % from run to run, measured).
 */
export const POLICY_SLICES = 10;

/**
 * Runs `SELECT 1` through every client with `concurrency` calls in flight, after an untimed warm-up of
 * each; reports each client's time per call, keyed by client id.
 */
export async function selectOne(
  clients: ReadonlyMap<string, SqlClient>,
  s: BenchSettings,
  concurrency: number,
): Promise<Record<string, Metrics>> {
  const calls = s.policyCalls[concurrency] ?? 1_000;
  const perSlice = Math.max(1, Math.ceil(calls / POLICY_SLICES));
  const ids = [...clients.keys()];
  for (const client of clients.values()) await runConcurrently(Math.ceil(calls / 5), concurrency, () => client.selectOne());
  const elapsedMs = new Map(ids.map((id) => [id, 0]));
  for (let slice = 0; slice < POLICY_SLICES; slice++) {
    for (let turn = 0; turn < ids.length; turn++) {
      const id = ids[(slice + turn) % ids.length];
      const client = clients.get(id)!;
      const started = performance.now();
      await runConcurrently(perSlice, concurrency, () => client.selectOne());
      elapsedMs.set(id, elapsedMs.get(id)! + performance.now() - started);
    }
  }
  const done = perSlice * POLICY_SLICES;
  return Object.fromEntries(
    ids.map((id) => {
      const ms = elapsedMs.get(id)!;
      return [id, { 'µs/query': (ms * 1000) / done, 'queries/s': done / (ms / 1000) }];
    }),
  );
}
