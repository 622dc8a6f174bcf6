import type { LeasedExecution } from './leased-execution';
import { addToBuffer, inStartOrder } from './start-order';

function row(id: string, priority: number, waitMs = 0): LeasedExecution {
  return { id, task: 't', queue: 'default', payload: null, attempts: 1, lease: id, wait_ms: waitMs, priority };
}

const ids = (rows: LeasedExecution[]): string[] => rows.map((r) => r.id);

describe('inStartOrder', () => {
  it('puts higher priorities first, then the longer waits', () => {
    const rows = [row('low', -1, 500), row('late', 0, 10), row('early', 0, 900), row('high', 10, 0), row('mid', 0, 300)];
    expect(ids(inStartOrder(rows))).toEqual(['high', 'early', 'mid', 'late', 'low']);
  });

  it('keeps rows that share priority and wait in the order they came', () => {
    const rows = ['a', 'b', 'c', 'd'].map((id) => row(id, 0, 42));
    expect(ids(inStartOrder(rows))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('addToBuffer', () => {
  it('appends rows of no higher priority than the last buffered one', () => {
    const buffer = [row('b1', 5), row('b2', 0)];
    addToBuffer(buffer, [row('r1', 0), row('r2', -3)]);
    expect(ids(buffer)).toEqual(['b1', 'b2', 'r1', 'r2']);
  });

  it('puts rows before buffered ones of a lower priority, after those of an equal or higher one', () => {
    const buffer = [row('b10', 10), row('b5', 5), row('b0', 0), row('b0-2', 0), row('b-1', -1)];
    addToBuffer(buffer, [row('r7', 7), row('r5', 5), row('r0', 0)]);
    expect(ids(buffer)).toEqual(['b10', 'r7', 'b5', 'r5', 'b0', 'b0-2', 'r0', 'b-1']);
  });

  it('fills an empty buffer as given, and leaves the buffer alone for an empty fetch', () => {
    const buffer: LeasedExecution[] = [];
    addToBuffer(buffer, [row('r1', 3), row('r2', 1)]);
    addToBuffer(buffer, []);
    expect(ids(buffer)).toEqual(['r1', 'r2']);
  });
});
