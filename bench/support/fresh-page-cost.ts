import { median } from './statistics';

/** The page size assumed: 4 KiB, as on x86-64 and most arm64 Linux kernels. */
const PAGE_BYTES = 4096;
/** Large enough that the allocator maps fresh memory for it instead of reusing freed heap memory. */
const TRIAL_BYTES = 8 * 2 ** 20;
const TRIALS = 3;

/**
 * Microseconds this process spends touching a page of fresh memory for the first time, that is the page
 * fault, beyond touching it again: the median of three trials over 8 MiB each. It varies widely between
 * machines (a few tenths of a µs on bare metal, ten times more and over in some virtual machines), and
 * every page a statement writes for the first time costs the server such faults, so the report states it
 * beside the ratios.
 */
export function freshPageMicros(): number {
  // Every trial's buffer is kept until the end, so no trial reuses memory an earlier one freed.
  const buffers: Buffer[] = [];
  const perPage: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const buffer = Buffer.allocUnsafeSlow(TRIAL_BYTES);
    buffers.push(buffer);
    const first = touchEveryPage(buffer);
    const again = touchEveryPage(buffer);
    perPage.push((first - again) / (TRIAL_BYTES / PAGE_BYTES));
  }
  return median(perPage);
}

/** Microseconds to write one byte into every page of `buffer`. */
function touchEveryPage(buffer: Buffer): number {
  const started = process.hrtime.bigint();
  for (let at = 0; at < buffer.length; at += PAGE_BYTES) buffer[at] = 1;
  return Number(process.hrtime.bigint() - started) / 1000;
}
