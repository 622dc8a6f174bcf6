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

/**
 * The same advantage round by round: the two systems ran each round within minutes of each other, so
 * the spread of these ratios is the machine's noise on the goal. Empty when the two cells do not hold
 * one run per round each (a failed run leaves nothing to pair).
 */
export function roundAdvantages(...[results, row, metric, better, subject, peer]: Parameters<typeof advantage>): number[] {
  const ours = results.all(row, subject).map((m) => m[metric]);
  const theirs = results.all(row, peer).map((m) => m[metric]);
  if (ours.length === 0 || ours.length !== theirs.length) return [];
  const each = ours.map((a, i) => (better === 'higher' ? a / theirs[i] : theirs[i] / a));
  return each.every(Number.isFinite) ? each : [];
}
