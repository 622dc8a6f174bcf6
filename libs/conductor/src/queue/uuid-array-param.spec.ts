import { uuidArrayParam } from './uuid-array-param';

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
