import type { Metrics } from '../workloads/metrics';
import { median } from './statistics';

/** ResultTable collects every run of every (row, column) cell, and the errors of those that failed. */
export class ResultTable {
  private readonly runs = new Map<string, Metrics[]>();
  private readonly errors = new Map<string, string>();

  add(row: string, column: string, metrics: Metrics): void {
    const key = `${row}|${column}`;
    this.runs.set(key, [...(this.runs.get(key) ?? []), metrics]);
  }

  fail(row: string, column: string, error: string): void {
    this.errors.set(`${row}|${column}`, error);
  }

  /** Every run of a cell, in order. */
  all(row: string, column: string): Metrics[] {
    return this.runs.get(`${row}|${column}`) ?? [];
  }

  /** The median of one metric over a cell's runs; undefined when it never ran. */
  median(row: string, column: string, metric: string): number | undefined {
    const values = this.all(row, column).map((m) => m[metric]);
    return values.length ? median(values) : undefined;
  }

  error(row: string, column: string): string | undefined {
    return this.errors.get(`${row}|${column}`);
  }
}
