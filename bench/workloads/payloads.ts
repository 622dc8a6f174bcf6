import type { QueueSystem } from '../systems/queue-system.interface';

/** The payloads `{ i }` for i in [from, to). */
export function payloads(from: number, to: number): { i: number }[] {
  return Array.from({ length: to - from }, (_, k) => ({ i: from + k }));
}

/** Enqueues the payloads `{ i }` for i in [from, to), one `enqueueBatch` call of at most `batchSize` after another. */
export async function enqueueInBatches(system: QueueSystem, from: number, to: number, batchSize: number): Promise<void> {
  for (let start = from; start < to; start += batchSize) {
    await system.enqueueBatch(payloads(start, Math.min(to, start + batchSize)));
  }
}
