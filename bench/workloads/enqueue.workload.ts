import type { BenchSettings } from '../support/bench-settings';
import { runConcurrently } from '../support/run-concurrently';
import type { QueueSystem } from '../systems/queue-system.interface';
import type { Metrics } from './metrics';
import { enqueueInBatches } from './payloads';

/**
 * Enqueues N jobs one call each with `inFlight` calls pending at once, after `warmUpJobs` untimed ones, so
 * prepared statements, pools and the JIT are warm for every system alike.
 */
export async function enqueueSingle(system: QueueSystem, s: BenchSettings): Promise<Metrics> {
  await system.setup();
  await runConcurrently(s.warmUpJobs, s.inFlight, (i) => system.enqueue({ i: -1 - i }));
  const started = performance.now();
  await runConcurrently(s.jobs, s.inFlight, (i) => system.enqueue({ i }));
  return { 'jobs/s': s.jobs / ((performance.now() - started) / 1000) };
}

/** Enqueues N jobs in sequential batches of `batchSize`, after `batchWarmUpJobs` untimed ones in batches alike. */
export async function enqueueBatch(system: QueueSystem, s: BenchSettings): Promise<Metrics> {
  await system.setup();
  await enqueueInBatches(system, -s.batchWarmUpJobs, 0, s.batchSize);
  const started = performance.now();
  await enqueueInBatches(system, 0, s.jobs, s.batchSize);
  return { 'jobs/s': s.jobs / ((performance.now() - started) / 1000) };
}
