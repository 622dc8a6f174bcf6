import type { ResultTable } from '../support/result-table';

/**
 * How many times better `subject` did than `peer` on one metric of one row: above 1 means better,
 * whichever way the metric points (subject ÷ peer for throughput, peer ÷ subject for latency).
 */
export function advantage(
  results: ResultTable,
  row: string,
  metric: string,
  better: 'higher' | 'lower',
  subject: string,
  peer: string,
): number | undefined {
  const a = results.median(row, subject, metric);
  const b = results.median(row, peer, metric);
  if (a === undefined || b === undefined || a === 0 || b === 0) return undefined;
  return better === 'higher' ? a / b : b / a;
}
