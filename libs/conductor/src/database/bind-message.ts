// A statement's Bind, Describe, Execute and Sync messages (PostgreSQL's extended protocol), written into
// one buffer of their exact size. pg writes a Bind into a small buffer that it grows as the values come,
// copying what it holds at each step, then copies the message once more: for a batched invoke of 500
// (16 KB) that is several fresh buffers and about 50 KB copied a statement, and on a machine where a
// first touch of fresh memory is dear, the page faults that come with them (docs/performance.md).

/** A parameter as pg's prepareValue leaves it: NULL, text (format 0) or binary (format 1). */
export type WireValue = string | Buffer | null;

/** The protocol counts parameters in an int16. */
const MAX_PARAMETERS = 65_535;

/** Describe the unnamed portal (so pg learns the result's columns), Execute it without a row limit, Sync. */
const DESCRIBE_EXECUTE_SYNC = Buffer.from([
  ...[0x44, 0, 0, 0, 6, 0x50, 0],
  ...[0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0],
  ...[0x53, 0, 0, 0, 4],
]);

/**
 * The messages that run prepared statement `statement` ('' for the unnamed one) with `values`: the same
 * bytes as pg's own serializer writes for them (bind-message.spec.ts compares the two).
 */
export function bindMessage(statement: string, values: readonly WireValue[]): Buffer {
  const count = values.length;
  if (count > MAX_PARAMETERS)
    throw new RangeError(
      `a statement takes at most ${MAX_PARAMETERS} parameters, got ${count}: split it into smaller statements`,
    );
  // Each text's UTF-8 length, computed once: it sizes the buffer and prefixes the value.
  const textBytes = new Array<number>(count);
  let valueBytes = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (typeof value === 'string') valueBytes += textBytes[i] = Buffer.byteLength(value);
    else if (value !== null) valueBytes += value.length;
  }
  const nameBytes = Buffer.byteLength(statement);
  // Length, unnamed portal, statement name, format codes, values (each with its length), one result format.
  const bindLength = 4 + 1 + nameBytes + 1 + 2 + 2 * count + 2 + 4 * count + valueBytes + 4;
  const message = Buffer.allocUnsafe(1 + bindLength + DESCRIBE_EXECUTE_SYNC.length);
  let at = message.writeUInt8(0x42, 0);
  at = message.writeInt32BE(bindLength, at);
  at = message.writeUInt8(0, at);
  at += message.write(statement, at, nameBytes, 'utf8');
  at = message.writeUInt8(0, at);
  at = message.writeInt16BE(count, at);
  for (let i = 0; i < count; i++) at = message.writeInt16BE(values[i] instanceof Buffer ? 1 : 0, at);
  at = message.writeInt16BE(count, at);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value === null) at = message.writeInt32BE(-1, at);
    else if (typeof value === 'string') {
      at = message.writeInt32BE(textBytes[i], at);
      at += message.write(value, at, textBytes[i], 'utf8');
    } else {
      at = message.writeInt32BE(value.length, at);
      at += value.copy(message, at);
    }
  }
  // One result format code, text, for every column: what pg asks for.
  at = message.writeInt16BE(1, at);
  at = message.writeInt16BE(0, at);
  DESCRIBE_EXECUTE_SYNC.copy(message, at);
  return message;
}
