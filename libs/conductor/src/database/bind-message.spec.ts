import { serialize } from 'pg-protocol';
import { prepareValue } from 'pg/lib/utils';
import { type WireValue, bindMessage } from './bind-message';
import { PREBUILT_BIND_FROM, valueSize } from './send-statement';

/** What pg itself sends for a prepared statement after its Parse: Bind, Describe portal, Execute, Sync. */
function pgMessages(statement: string, values: unknown[]): Buffer {
  return Buffer.concat([
    serialize.bind({ statement, values, valueMapper: prepareValue }),
    serialize.describe({ type: 'P', name: '' }),
    serialize.execute({}),
    serialize.sync(),
  ]);
}

const wire = (values: unknown[]): WireValue[] => values.map((value) => prepareValue(value));

/** The payloads of a batched invoke of 500, joined as the producer joins them. */
const BATCH_PAYLOADS = Array.from({ length: 500 }, (_, i) => JSON.stringify({ i })).join('\u001e');

describe('bindMessage', () => {
  const cases: [string, string, unknown[]][] = [
    ['no values', 'conductor_select_1', []],
    ['the unnamed statement', '', ['a', 1]],
    ['text, numbers, NULL and an empty text', 'conductor_mixed', ['text', 42, -7.5, null, undefined, '', true]],
    ['multi-byte text', 'conductor_utf8', ['zoë ☃ 𝄞 日本', 'ß'.repeat(3_000)]],
    ['binary values', 'conductor_binary', [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0), Buffer.alloc(20_000, 7)]],
    ['objects, dates and arrays as pg converts them', 'conductor_objects', [{ a: [1, 'x'] }, new Date(0), [1, null, 'b']]],
    ['a statement name beyond ASCII', 'conductor_é', ['x']],
  ];

  it.each(cases)('writes the same bytes as pg for %s', (_label, statement, values) => {
    expect(bindMessage(statement, wire(values)).equals(pgMessages(statement, values))).toBe(true);
  });

  it('writes the same bytes as pg for a batched invoke of 500', () => {
    const ids = Buffer.alloc(20 + 500 * 20, 3);
    const values = [ids, 'conductor_channel', 'task', 'default', 5, BATCH_PAYLOADS];
    expect(bindMessage('conductor_insert', wire(values)).equals(pgMessages('conductor_insert', values))).toBe(true);
  });

  it('refuses more parameters than the protocol can count', () => {
    expect(() => bindMessage('s', new Array<WireValue>(65_536).fill(null))).toThrow(
      'a statement takes at most 65535 parameters, got 65536',
    );
  });
});

describe('valueSize', () => {
  it('counts the text and binary values, not the rest', () => {
    expect(valueSize(['abc', Buffer.alloc(10), 12345, null, { long: 'x'.repeat(100) }])).toBe(13);
  });

  it('puts a batched invoke of 500 over the threshold and a short statement under it', () => {
    expect(valueSize([Buffer.alloc(10_020), 'channel', BATCH_PAYLOADS])).toBeGreaterThanOrEqual(PREBUILT_BIND_FROM);
    expect(valueSize(['{1,2,3}', 'channel'])).toBeLessThan(PREBUILT_BIND_FROM);
  });
});
