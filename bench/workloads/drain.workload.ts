import type { BenchSettings } from '../support/bench-settings';
import { waitUntil } from '../support/wait-until';
import type { QueueSystem } from '../systems/queue-system.interface';
import { type Metrics, payloads } from './metrics';

/**
 * Pre-inserts N no-op jobs, then starts the workers and times from the first handler start until the
 * database holds no unfinished job (completions flushed). A drain still running at the cap is stopped
 * and its rate taken from the jobs it finished.
 */
export async function drain(system: QueueSystem, s: BenchSettings, concurrency: number): Promise<Metrics> {
  await system.setup();
  for (let from = 0; from < s.jobs; from += s.batchSize) {
    await system.enqueueBatch(payloads(from, Math.min(s.jobs, from + s.batchSize)));
  }
  let handled = 0;
  let first = 0;
  const startedWorkers = performance.now();
  await system.startWorkers(concurrency, () => {
    if (handled++ === 0) first = performance.now();
  });
  const deadline = startedWorkers + s.drainCapMs;
  await waitUntil(() => handled >= s.jobs, deadline, 5);
  const drained = await waitUntil(async () => (await system.pending()) === 0, deadline, 10);
  const ended = performance.now();
  const finished = drained ? s.jobs : s.jobs - (await system.pending());
  const seconds = (ended - (first || ended)) / 1000;
  return { 'jobs/s': seconds > 0 ? finished / seconds : 0, capped: drained ? 0 : 1 };
}
