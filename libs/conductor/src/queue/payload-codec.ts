/** The JSON text of a value, or why it cannot be stored. */
export type EncodeResult = { json: string } | { problem: string };

/**
 * Serializes a payload or result to JSON, refusing what JSON would silently change or lose: BigInt,
 * functions, symbols, cycles, `undefined` at the top, and the NUL character PostgreSQL's jsonb rejects.
 */
export function encodeJson(value: unknown, maxBytes: number, options: { allowNul?: boolean } = {}): EncodeResult {
  if (value === undefined) return { problem: 'it is undefined (pass null or an object)' };
  let problem: string | undefined;
  let json: string;
  try {
    json = JSON.stringify(value, function (this: unknown, key: string, inner: unknown) {
      const type = typeof inner;
      if (type === 'function' || type === 'symbol') {
        problem ??= `it contains a ${type} at ${key === '' ? 'the top' : `key ${JSON.stringify(key)}`}`;
        return undefined;
      }
      if (type === 'bigint') {
        problem ??= `it contains a BigInt at ${key === '' ? 'the top' : `key ${JSON.stringify(key)}`} (convert it to a string)`;
        return undefined;
      }
      return inner;
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      problem: /circular/i.test(message) ? 'it contains a circular reference' : `it is not JSON-serializable (${message})`,
    };
  }
  if (problem) return { problem };
  if (!options.allowNul && json.includes('\\u0000'))
    return { problem: 'it contains a NUL character (\\u0000), which PostgreSQL cannot store in jsonb' };
  const bytes = json.length <= maxBytes / 3 ? json.length : Buffer.byteLength(json);
  if (bytes > maxBytes) return { problem: `it is ${bytes} bytes serialized, over the limit of ${maxBytes} bytes` };
  return { json };
}
