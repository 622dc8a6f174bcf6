import { ResultTable } from '../support/result-table';
import { advantage, roundAdvantages } from './compare';

/** Three rounds of a drain (higher is better) and a latency (lower is better) for two systems. */
function threeRounds(): ResultTable {
  const results = new ResultTable();
  for (const [ours, theirs] of [
    [80, 100],
    [90, 100],
    [60, 50],
  ]) {
    results.add('drain', 'ours', { 'jobs/s': ours, 'p95 ms': 100 / ours });
    results.add('drain', 'peer', { 'jobs/s': theirs, 'p95 ms': 100 / theirs });
  }
  return results;
}

describe('roundAdvantages', () => {
  it('pairs the two systems round by round, where the median ratio mixes rounds', () => {
    const results = threeRounds();
    expect(roundAdvantages(results, 'drain', 'jobs/s', 'higher', 'ours', 'peer')).toEqual([0.8, 0.9, 1.2]);
    // The ratio of the medians sets our median round (80) against the peer's (100) of another round.
    expect(advantage(results, 'drain', 'jobs/s', 'higher', 'ours', 'peer')).toBeCloseTo(0.8);
  });

  it('turns the ratio round for a metric where lower is better', () => {
    const rounds = roundAdvantages(threeRounds(), 'drain', 'p95 ms', 'lower', 'ours', 'peer');
    expect(rounds.map((r) => Number(r.toFixed(6)))).toEqual([0.8, 0.9, 1.2]);
  });

  it('pairs nothing when a run is missing on one side, or a cell never ran', () => {
    const results = threeRounds();
    results.add('drain', 'ours', { 'jobs/s': 70 });
    expect(roundAdvantages(results, 'drain', 'jobs/s', 'higher', 'ours', 'peer')).toEqual([]);
    expect(roundAdvantages(results, 'enqueue', 'jobs/s', 'higher', 'ours', 'peer')).toEqual([]);
  });

  it('pairs nothing when a round measured zero', () => {
    const results = new ResultTable();
    results.add('drain', 'ours', { 'jobs/s': 10 });
    results.add('drain', 'peer', { 'jobs/s': 0 });
    expect(roundAdvantages(results, 'drain', 'jobs/s', 'higher', 'ours', 'peer')).toEqual([]);
  });
});
