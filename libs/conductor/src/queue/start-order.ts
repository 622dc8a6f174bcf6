import type { LeasedExecution } from './leased-execution';

/** A row of the fetch: a leased execution and the priority it was picked by. */
export interface FetchedExecution extends LeasedExecution {
  priority: number;
}

/**
 * Puts the rows of one fetch in the order the fetch picked them: higher priority first, then the longer
 * wait, which within one fetch is the earlier due time. The server returns them in the order of their
 * addresses in the table, and the worker starts its buffer front to back. Sorts in place: V8's sort is
 * stable, and linear on a run already in order, such as a batch that shares priority and due time.
 */
export function inStartOrder<T extends FetchedExecution>(rows: T[]): T[] {
  return rows.sort((a, b) => b.priority - a.priority || b.wait_ms - a.wait_ms);
}
