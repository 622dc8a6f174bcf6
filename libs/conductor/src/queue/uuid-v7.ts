import { randomFillSync } from 'node:crypto';

// Random bytes are drawn in blocks: one system call per 512 ids instead of one per id.
const RANDOM_BYTES = 8;
const POOL_SIZE = RANDOM_BYTES * 512;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// A random byte with its top two bits made the RFC 9562 variant (10), as two hex digits.
const VARIANT_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX[(i & 0x3f) | 0x80]);
// The 12-bit sequence as the three hex digits after the version digit.
const SEQUENCE_HEX: string[] = Array.from({ length: 0x1000 }, (_, i) => i.toString(16).padStart(3, '0'));
let lastMs = -1;
let sequence = 0;
/** "tttttttt-tttt-7": the first 15 characters of every id made in millisecond lastMs. */
let msPrefix = '';

/**
 * A UUID version 7: 48 bits of Unix milliseconds, a 12-bit sequence, then random bits. Ids made on the
 * client let a retried insert recognise its own row, and their time order keeps the primary key index
 * compact. Within one process they are strictly increasing (RFC 9562, method 1: the sequence counts
 * within a millisecond), so executions invoked one after another keep that order among equals.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    setMillisecond(now);
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4 096 ids in one millisecond: borrow the next one rather than break the order.
    setMillisecond(lastMs + 1);
    sequence = 0;
  }
  if (offset + RANDOM_BYTES > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += RANDOM_BYTES;
  // NOTE: the time part is reused within a millisecond and the last 12 digits are one native hex
  // call: a few string pieces an id instead of twenty, which the producer's batches felt as garbage.
  return `${msPrefix}${SEQUENCE_HEX[sequence]}-${VARIANT_HEX[pool[at]]}${HEX[pool[at + 1]]}-${pool.toString('hex', at + 2, at + 8)}`;
}

function setMillisecond(ms: number): void {
  lastMs = ms;
  const hex = ms.toString(16).padStart(12, '0');
  msPrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
}
