import { uuidv7 } from './uuid-v7';

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
