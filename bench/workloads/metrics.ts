/** What one measurement produced: named numbers (`jobs/s`, `p50 ms`, ...). */
export type Metrics = Record<string, number>;

/** The payloads `{ i }` for i in [from, to). */
export function payloads(from: number, to: number): { i: number }[] {
  return Array.from({ length: to - from }, (_, k) => ({ i: from + k }));
}
