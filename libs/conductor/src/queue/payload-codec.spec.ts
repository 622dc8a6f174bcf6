import { encodeJson } from './payload-codec';

describe('encodeJson', () => {
  it.each([
    [{ a: 1, b: ['x', { c: null }] }, '{"a":1,"b":["x",{"c":null}]}'],
    [null, 'null'],
    ['text', '"text"'],
    [{ at: new Date('2026-01-02T03:04:05.000Z') }, '{"at":"2026-01-02T03:04:05.000Z"}'],
  ])('encodes %j', (value, json) => {
    expect(encodeJson(value, 1_000)).toEqual({ json });
  });

  it.each([
    [undefined, /undefined/],
    [{ n: 10n }, /BigInt at key "n"/],
    [{ deep: [{ fn: () => 1 }] }, /function at key "fn"/],
    [{ s: Symbol('x') }, /symbol at key "s"/],
    [{ text: 'a\u0000b' }, /NUL character/],
    [{ big: 'x'.repeat(50) }, /over the limit of 40 bytes/],
  ])('refuses %p', (value, problem) => {
    const result = encodeJson(value, 40);
    expect('problem' in result && result.problem).toMatch(problem);
  });

  it('refuses a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const result = encodeJson(cyclic, 1_000);
    expect('problem' in result && result.problem).toMatch(/circular/);
  });

  it('counts bytes, not characters, against the limit', () => {
    // 7 characters, 12 bytes in UTF-8.
    expect(encodeJson('ééééé', 11)).toEqual({ problem: 'it is 12 bytes serialized, over the limit of 11 bytes' });
    expect(encodeJson('ééééé', 12)).toEqual({ json: '"ééééé"' });
  });

  it('lets NUL through when allowed (results: the database then judges)', () => {
    expect(encodeJson({ text: 'a\u0000b' }, 1_000, { allowNul: true })).toEqual({ json: '{"text":"a\\u0000b"}' });
  });
});
