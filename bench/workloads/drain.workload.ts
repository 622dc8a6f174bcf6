import type { BenchSettings } from '../support/bench-settings';
import { waitUntil } from '../support/wait-until';
import type { QueueSystem } from '../systems/queue-system.interface';
import type { Metrics } from './metrics';
import { enqueueInBatches } from './payloads';

/**
 * Pre-inserts `warmUpJobs` + N no-op jobs, then starts the workers and times from the handler start that
 * ends the warm-up until the database holds no unfinished job (completions flushed): the rate of N jobs.
 * A drain still running at the cap is stopped and its rate taken from the jobs it finished; one that never
 * got through its warm-up is timed from its first handler start instead, over all it finished.
 */
export async function drain(system: QueueSystem, s: BenchSettings, concurrency: number): Promise<Metrics> {
  await system.setup();
  const total = s.warmUpJobs + s.jobs;
  await enqueueInBatches(system, 0, total, s.batchSize);
  let handled = 0;
  let first = 0;
  let warm = 0;
  const startedWorkers = performance.now();
  await system.startWorkers(concurrency, () => {
    handled++;
    if (handled === 1) first = performance.now();
    if (handled === s.warmUpJobs) warm = performance.now();
  });
  const deadline = startedWorkers + s.drainCapMs;
  await waitUntil(() => handled >= total, deadline, 5);
  const drained = await waitUntil(async () => (await system.pending()) === 0, deadline, 10);
  const ended = performance.now();
  const finished = drained ? total : total - (await system.pending());
  const [from, counted] = warm > 0 ? [warm, finished - s.warmUpJobs] : [first || ended, finished];
  const seconds = (ended - from) / 1000;
  return { 'jobs/s': seconds > 0 ? counted / seconds : 0, capped: drained ? 0 : 1 };
}
