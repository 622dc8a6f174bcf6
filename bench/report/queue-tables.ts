import type { QueueRun } from '../measure-queues';
import type { QueueCase } from '../workloads/queue-cases';
import { advantage } from './compare';
import { ratio, table, value } from './markdown';

/** One line per (workload, metric) of the queue part. */
function rows(cases: QueueCase[]): { workload: QueueCase; metric: string }[] {
  return cases.flatMap((workload) => Object.keys(workload.better).map((metric) => ({ workload, metric })));
}

function rowLabel(workload: QueueCase, metric: string): string {
  return `${workload.label} (${metric})`;
}

/** The medians of every system. */
export function absoluteTable(run: QueueRun, cases: QueueCase[]): string {
  const body = rows(cases).map(({ workload, metric }) => [
    rowLabel(workload, metric),
    ...run.systems.map((spec) => {
      if (run.results.error(workload.id, spec.id)) return 'failed';
      const capped = run.results.all(workload.id, spec.id).some((m) => m.capped);
      return value(run.results.median(workload.id, spec.id, metric)) + (capped ? ' (capped)' : '');
    }),
  ]);
  return table(['workload', ...run.systems.map((s) => s.label)], body);
}

/** How `subject` compares with each of `against`: above 1 is better for `subject`. */
export function advantageTable(run: QueueRun, cases: QueueCase[], subject: string, against: string[]): string {
  const label = (id: string): string => run.systems.find((s) => s.id === id)?.label ?? id;
  const body = rows(cases).map(({ workload, metric }) => [
    rowLabel(workload, metric),
    ...against.map((peer) => ratio(advantage(run.results, workload.id, metric, workload.better[metric], subject, peer))),
  ]);
  return table(['workload', ...against.map((id) => `vs ${label(id)}`)], body);
}

/** Every system against one reference (the raw-SQL limit): above 1 is better than the reference. */
export function referenceTable(run: QueueRun, cases: QueueCase[], reference: string): string {
  const others = run.systems.filter((s) => s.id !== reference);
  const body = rows(cases).map(({ workload, metric }) => [
    rowLabel(workload, metric),
    ...others.map((spec) => ratio(advantage(run.results, workload.id, metric, workload.better[metric], spec.id, reference))),
  ]);
  return table(['workload', ...others.map((s) => s.label)], body);
}
