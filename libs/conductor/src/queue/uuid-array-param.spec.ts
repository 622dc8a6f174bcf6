import { freshUuidArray, isUuidArrayOf, uuidArrayParam } from './uuid-array-param';
import { uuidv7 } from './uuid-v7';

describe('uuidArrayParam', () => {
  it('lays out a one-dimensional uuid[] without nulls: the header, then each id as its length and 16 bytes', () => {
    const ids = ['0192f0e1-7b2c-7abc-8def-0123456789ab', 'FFFFFFFF-0000-7000-BFFF-00000000000A'];
    const buffer = uuidArrayParam(ids);
    const ints = (from: number, count: number): number[] =>
      Array.from({ length: count }, (_, i) => buffer.readInt32BE(from + 4 * i));
    expect(ints(0, 5)).toEqual([1, 0, 2950, 2, 1]);
    expect(buffer.readInt32BE(20)).toBe(16);
    expect(buffer.toString('hex', 24, 40)).toBe('0192f0e17b2c7abc8def0123456789ab');
    expect(buffer.readInt32BE(40)).toBe(16);
    expect(buffer.toString('hex', 44, 60)).toBe('ffffffff00007000bfff00000000000a');
    expect(buffer.length).toBe(60);
  });

  it('gives an empty array its header and nothing else', () => {
    expect(uuidArrayParam([]).length).toBe(20);
  });

  it.each([
    ['a short id', '0192f0e1-7b2c-7abc-8def-0123456789a'],
    ['a digit that is not hex', '0192f0e1-7b2c-7abc-8def-0123456789ag'],
    ['a misplaced dash', '0192f0e17-b2c-7abc-8def-0123456789ab'],
    ['no dashes', '0192f0e17b2c7abc8def0123456789ab0000'],
    ['a character beyond ASCII', '0192f0e1-7b2c-7abc-8def-0123456789a\u00e9'],
  ])('refuses %s, naming it', (_, id) => {
    expect(() => uuidArrayParam(['0192f0e1-7b2c-7abc-8def-0123456789ab', id])).toThrow(
      `canonical form (8-4-4-4-12 hex digits): "${id}"`,
    );
  });
});

describe('freshUuidArray', () => {
  const CANONICAL_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('writes the same bytes as parsing its ids, across refills of the random bytes', () => {
    // 5 000 ids: past the 512 ids a block of random bytes serves, and past the 4 096 of one millisecond.
    const { param, ids } = freshUuidArray(5_000);
    expect(ids).toHaveLength(5_000);
    for (const id of ids) expect(id).toMatch(CANONICAL_V7);
    expect(param.equals(uuidArrayParam(ids))).toBe(true);
    expect(isUuidArrayOf(param, 5_000)).toBe(true);
    expect(isUuidArrayOf(param, 4_999)).toBe(false);
  });

  it('continues the one increasing sequence of uuidv7, before and after a batch', () => {
    const before = uuidv7();
    const { ids } = freshUuidArray(300);
    const after = uuidv7();
    const all = [before, ...ids, after];
    expect([...all].sort()).toEqual(all);
    expect(new Set(all).size).toBe(all.length);
  });

  it('gives an empty batch an empty array', () => {
    const { param, ids } = freshUuidArray(0);
    expect(ids).toEqual([]);
    expect(param.equals(uuidArrayParam([]))).toBe(true);
  });
});
