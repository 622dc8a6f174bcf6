import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchSettings } from '../support/bench-settings';
import { percentile } from '../support/statistics';
import { waitUntil } from '../support/wait-until';
import type { QueueSystem } from '../systems/queue-system.interface';
import type { Metrics } from './metrics';

// Time for the workers to go idle (first empty fetch, LISTEN in place) before the first job.
const SETTLE_MS = 1_000;
const LATE_MS = 15_000;

/** Invokes jobs one every `trickleGapMs` into running workers; latency from the invoke call to the handler's start. */
export async function trickle(system: QueueSystem, s: BenchSettings): Promise<Metrics> {
  await system.setup();
  const invokedAt: number[] = [];
  const startedAt: number[] = [];
  await system.startWorkers(s.trickleConcurrency, ({ i }) => {
    startedAt[i] ??= performance.now();
  });
  await sleep(SETTLE_MS);
  const origin = performance.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < s.trickleJobs; i++) {
    const wait = origin + i * s.trickleGapMs - performance.now();
    if (wait > 0) await sleep(wait);
    invokedAt[i] = performance.now();
    calls.push(system.enqueue({ i }));
  }
  await Promise.all(calls);
  const started = (): number => startedAt.filter((t) => t !== undefined).length;
  await waitUntil(() => started() >= s.trickleJobs, performance.now() + LATE_MS);
  // A job that never started counts as LATE_MS: a system that loses jobs must not look faster for it.
  const latencies = invokedAt.map((t, i) => (startedAt[i] === undefined ? LATE_MS : startedAt[i] - t));
  return {
    'p50 ms': percentile(latencies, 50),
    'p95 ms': percentile(latencies, 95),
    'never started': invokedAt.filter((_, i) => startedAt[i] === undefined).length,
  };
}
