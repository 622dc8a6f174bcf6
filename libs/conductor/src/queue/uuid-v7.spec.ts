import { uuidTexts, uuidv7, writeUuidv7s } from './uuid-v7';

describe('uuidv7', () => {
  it('has the version 7 and RFC variant bits, across a refill of its random bytes', () => {
    const ids = Array.from({ length: 2_000 }, () => uuidv7());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('draws its last 62 bits at random: no two ids share them, and every hex digit appears', () => {
    const tails = Array.from({ length: 2_000 }, () => uuidv7().slice(19).replace('-', ''));
    expect(new Set(tails).size).toBe(tails.length);
    expect(new Set(tails.map((t) => t.slice(1)).join('')).size).toBe(16);
  });

  it('carries its millisecond in the first 48 bits', () => {
    const ms = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    const id = uuidv7(ms);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(ms);
  });

  it('is strictly increasing within one millisecond and across many', () => {
    const now = Date.now() + 10_000;
    const ids = Array.from({ length: 10_000 }, () => uuidv7(now));
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('writeUuidv7s and uuidTexts', () => {
  it('write each id at its stride, and read back the text of exactly those bytes', () => {
    // Later than any millisecond the tests above used: the sequence restarts at 0.
    const ms = Date.UTC(2050, 0, 1);
    const buffer = Buffer.alloc(3 * 20, 0xee);
    writeUuidv7s(buffer, 4, 20, 3, ms);
    const texts = uuidTexts(buffer, 4, 20, 3);
    for (let i = 0; i < 3; i++) {
      expect(texts[i].replace(/-/g, '')).toBe(buffer.toString('hex', 4 + 20 * i, 20 + 20 * i));
      // The bytes between the ids are left as they were.
      expect(buffer.toString('hex', 20 * i, 20 * i + 4)).toBe('eeeeeeee');
    }
    expect(parseInt(texts[0].replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
    expect(texts[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7000-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(texts[2].slice(14, 18)).toBe('7002');
  });
});
