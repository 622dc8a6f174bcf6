import { type FetchedExecution, inStartOrder } from './start-order';

function row(id: string, priority: number, waitMs: number): FetchedExecution {
  return { id, task: 't', queue: 'default', payload: null, attempts: 1, lease: id, wait_ms: waitMs, priority };
}

describe('inStartOrder', () => {
  it('puts higher priorities first, then the longer waits', () => {
    const rows = [row('low', -1, 500), row('late', 0, 10), row('early', 0, 900), row('high', 10, 0), row('mid', 0, 300)];
    expect(inStartOrder(rows).map((r) => r.id)).toEqual(['high', 'early', 'mid', 'late', 'low']);
  });

  it('keeps rows that share priority and wait in the order they came', () => {
    const rows = ['a', 'b', 'c', 'd'].map((id) => row(id, 0, 42));
    expect(inStartOrder(rows).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
