import type { LeasedExecution } from './leased-execution';

/**
 * Puts the rows of one fetch in the order the fetch picked them: higher priority first, then the longer
 * wait, which within one fetch is the earlier due time. The server returns them in the order of their
 * addresses in the table. Sorts in place: V8's sort is stable, and linear on a run already in order,
 * such as a batch that shares priority and due time.
 */
export function inStartOrder(rows: LeasedExecution[]): LeasedExecution[] {
  return rows.sort((a, b) => b.priority - a.priority || b.wait_ms - a.wait_ms);
}

/**
 * Adds the rows of a fetch, in start order, to the worker's buffer, which the worker starts front to back
 * and which stays ordered by priority: a row goes before the buffered ones of a lower priority; among
 * equal priorities the buffered rows, fetched earlier, stay first. Nearly always the rows only append
 * (one priority for all), which the first check finds at once; otherwise a stable sort by priority, which
 * on two runs already in order is one merge pass.
 */
export function addToBuffer(buffer: LeasedExecution[], rows: LeasedExecution[]): void {
  if (rows.length === 0) return;
  const appendsInOrder = buffer.length === 0 || buffer[buffer.length - 1].priority >= rows[0].priority;
  for (const row of rows) buffer.push(row);
  if (!appendsInOrder) buffer.sort((a, b) => b.priority - a.priority);
}
