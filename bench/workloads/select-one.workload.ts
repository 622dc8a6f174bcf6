import type { BenchSettings } from '../support/bench-settings';
import { runConcurrently } from '../support/run-concurrently';
import type { SqlClient } from '../clients/sql-client.interface';
import { rotate } from '../support/rotate';
import { median } from '../support/statistics';
import type { Metrics } from './metrics';

/**
 * Slices each client's calls are cut into. The clients take turns, slice by slice, in a rotating order:
 * a minute of noise on this shared machine then falls on every client alike, where one client after
 * another measured each in a different minute (ratios moved by ±10 % from run to run, measured).
 */
export const POLICY_SLICES = 20;

/** The metric of a client's time per call relative to client `id`'s, slice by slice. */
export function timeRelativeTo(id: string): string {
  return `time ÷ ${id}`;
}

/**
 * Runs `SELECT 1` through every client with `concurrency` calls in flight, after an untimed warm-up of
 * each; reports each client's time per call, and its time relative to every client's: the median over
 * the slices of the ratio of the two clients' times in the same slice. A burst of noise then moves one
 * slice's ratio, where it moved the whole run's totals (the bare pg Pool once measured 1.07× the time of
 * TypeORM, which runs on it).
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
  const sliceMs = new Map(ids.map((id) => [id, [] as number[]]));
  for (let slice = 0; slice < POLICY_SLICES; slice++) {
    for (const id of rotate(ids, slice)) {
      const client = clients.get(id)!;
      const started = performance.now();
      await runConcurrently(perSlice, concurrency, () => client.selectOne());
      sliceMs.get(id)!.push(performance.now() - started);
    }
  }
  const done = perSlice * POLICY_SLICES;
  return Object.fromEntries(
    ids.map((id) => {
      const mine = sliceMs.get(id)!;
      const ms = mine.reduce((sum, t) => sum + t, 0);
      const relative = ids.map((other) => {
        const theirs = sliceMs.get(other)!;
        return [timeRelativeTo(other), median(mine.map((t, slice) => t / theirs[slice]))];
      });
      return [id, { 'µs/query': (ms * 1000) / done, 'queries/s': done / (ms / 1000), ...Object.fromEntries(relative) }];
    }),
  );
}
