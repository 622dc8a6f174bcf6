import { randomFillSync } from 'node:crypto';

// Random bytes are drawn in blocks: one system call per 256 ids instead of one per id.
const POOL_SIZE = 16 * 256;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
let lastMs = 0;
let sequence = 0;

/**
 * A UUID version 7: 48 bits of Unix milliseconds, a 12-bit sequence, then random bits. Ids made on the
 * client let a retried insert recognise its own row, and their time order keeps the primary key index
 * compact. Within one process they are strictly increasing (RFC 9562, method 1: the sequence counts
 * within a millisecond), so executions invoked one after another keep that order among equals.
 */
export function uuidv7(now: number = Date.now()): string {
  if (offset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = pool.subarray(offset, offset + 16);
  offset += 16;
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4 096 ids in one millisecond: borrow the next one rather than break the order.
    lastMs++;
    sequence = 0;
  }
  const ms = lastMs;
  const high = Math.floor(ms / 2 ** 16);
  const low = ms % 2 ** 16;
  b[0] = (high >>> 24) & 0xff;
  b[1] = (high >>> 16) & 0xff;
  b[2] = (high >>> 8) & 0xff;
  b[3] = high & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = 0x70 | (sequence >>> 8);
  b[7] = sequence & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  return (
    HEX[b[0]] +
    HEX[b[1]] +
    HEX[b[2]] +
    HEX[b[3]] +
    '-' +
    HEX[b[4]] +
    HEX[b[5]] +
    '-' +
    HEX[b[6]] +
    HEX[b[7]] +
    '-' +
    HEX[b[8]] +
    HEX[b[9]] +
    '-' +
    HEX[b[10]] +
    HEX[b[11]] +
    HEX[b[12]] +
    HEX[b[13]] +
    HEX[b[14]] +
    HEX[b[15]]
  );
}
