import { randomFillSync } from 'node:crypto';

/** Bytes in a UUID. */
export const UUID_BYTES = 16;
/** Characters in a UUID's canonical text (8-4-4-4-12 hex digits). */
const TEXT_LENGTH = 36;
// Random bytes are drawn in blocks: one system call per 512 ids instead of one per id.
const RANDOM_BYTES = 8;
const POOL_SIZE = RANDOM_BYTES * 512;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;
let lastMs = -1;
let sequence = 0;
/** The first six bytes of every id made in millisecond lastMs: the millisecond, big-endian. */
const msBytes = new Uint8Array(6);
/** Each byte's two lowercase hex digits, as character codes: byte b at 2b and 2b + 1. */
const HEX_CODES = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  const digits = b.toString(16).padStart(2, '0');
  HEX_CODES[2 * b] = digits.charCodeAt(0);
  HEX_CODES[2 * b + 1] = digits.charCodeAt(1);
}
const DASH = 0x2d;
const single = Buffer.allocUnsafe(UUID_BYTES);
/** Where an id's text is written before it is decoded: ids are made one at a time, synchronously. */
const scratchText = Buffer.allocUnsafe(TEXT_LENGTH);

/**
 * A UUID version 7: 48 bits of Unix milliseconds, a 12-bit sequence, then random bits. Ids made on the
 * client let a retried insert recognise its own row, and their time order keeps the primary key index
 * compact. Within one process they are strictly increasing (RFC 9562, method 1: the sequence counts
 * within a millisecond), so executions invoked one after another keep that order among equals.
 */
export function uuidv7(now: number = Date.now()): string {
  writeUuidv7s(single, 0, UUID_BYTES, 1, now);
  return uuidText(single, 0);
}

/**
 * Writes the bytes of the next `count` ids (as uuidv7 makes them, in the same order) into `target`, the
 * first at `at` and each next one `stride` bytes further. A batch's ids go straight into the binary
 * uuid[] parameter this way, instead of being written as text and parsed back.
 */
export function writeUuidv7s(target: Buffer, at: number, stride: number, count: number, now: number = Date.now()): void {
  for (let i = 0, to = at; i < count; i++, to += stride) {
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
    for (let k = 0; k < 6; k++) target[to + k] = msBytes[k];
    target[to + 6] = 0x70 | (sequence >> 8);
    target[to + 7] = sequence & 0xff;
    // The top two bits of byte 8 are the RFC 9562 variant (10); the 62 bits after them are random.
    target[to + 8] = (pool[offset] & 0x3f) | 0x80;
    for (let k = 1; k < RANDOM_BYTES; k++) target[to + 8 + k] = pool[offset + k];
    offset += RANDOM_BYTES;
  }
}

/**
 * The canonical text of `count` ids laid out as writeUuidv7s writes them. NOTE: each id's digits are
 * written as bytes and decoded in one call; building each id from string pieces cost about twice as much
 * and left strings that were slow to read. Slices of one string for the whole batch would cost a sixth of
 * the decoding, but any id kept would keep the whole batch's text alive.
 */
export function uuidTexts(source: Buffer, at: number, stride: number, count: number): string[] {
  const ids: string[] = new Array(count);
  for (let i = 0; i < count; i++) ids[i] = uuidText(source, at + i * stride);
  return ids;
}

/** The canonical text of the 16 bytes at `from`. */
function uuidText(source: Buffer, from: number): string {
  let to = 0;
  for (let k = 0; k < UUID_BYTES; k++) {
    if (k === 4 || k === 6 || k === 8 || k === 10) scratchText[to++] = DASH;
    const code = source[from + k] << 1;
    scratchText[to++] = HEX_CODES[code];
    scratchText[to++] = HEX_CODES[code + 1];
  }
  return scratchText.toString('latin1');
}

function setMillisecond(ms: number): void {
  lastMs = ms;
  for (let k = 5, rest = ms; k >= 0; k--, rest = Math.floor(rest / 256)) msBytes[k] = rest % 256;
}
