import type { BenchSettings } from '../support/bench-settings';
import type { QueueSystem } from '../systems/queue-system.interface';
import { drain } from './drain.workload';
import { enqueueBatch, enqueueSingle } from './enqueue.workload';
import type { Metrics } from './metrics';
import { trickle } from './trickle.workload';

/** QueueCase is one row group of the queue table: a workload at given settings. */
export interface QueueCase {
  id: string;
  label: string;
  /** The worker concurrency the settings are shown for. */
  concurrency: number;
  /** Which way is better for each metric it reports. */
  better: Record<string, 'higher' | 'lower'>;
  run(system: QueueSystem, s: BenchSettings): Promise<Metrics>;
}

const throughput = { 'jobs/s': 'higher' } as const;

/**
 * The queue workloads, following graphile-worker's published method: pre-insert, then drain. Only those
 * named in BENCH_CASES when it is set; a name that matches none is an error that lists the known ones.
 */
export function queueCases(s: BenchSettings): QueueCase[] {
  const all = allCases(s);
  const wanted = s.cases;
  if (!wanted) return all;
  const unknown = wanted.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length > 0)
    throw new Error(`BENCH_CASES names unknown workloads: ${unknown.join(', ')} (known: ${all.map((c) => c.id).join(', ')})`);
  return all.filter((c) => wanted.includes(c.id));
}

function allCases(s: BenchSettings): QueueCase[] {
  return [
    {
      id: 'enqueue-single',
      label: `enqueue ${s.jobs} one at a time, ${s.inFlight} in flight`,
      concurrency: s.trickleConcurrency,
      better: throughput,
      run: enqueueSingle,
    },
    {
      id: 'enqueue-batch',
      label: `enqueue ${s.jobs} in batches of ${s.batchSize}`,
      concurrency: s.trickleConcurrency,
      better: throughput,
      run: enqueueBatch,
    },
    ...s.drainConcurrencies.map((c): QueueCase => ({
      id: `drain-${c}`,
      label: `drain ${s.jobs} no-op jobs at concurrency ${c}`,
      concurrency: c,
      better: throughput,
      run: (system, settings) => drain(system, settings, c),
    })),
    {
      id: 'trickle',
      label: `trickle: ${s.trickleJobs} jobs ${s.trickleGapMs} ms apart, invoke → handler start`,
      concurrency: s.trickleConcurrency,
      better: { 'p50 ms': 'lower', 'p95 ms': 'lower' },
      run: trickle,
    },
  ];
}
