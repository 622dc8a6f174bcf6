import type { SqlClientSpec } from '../clients/sql-client.interface';
import type { ResultTable } from '../support/result-table';
import { timeRelativeTo } from '../workloads/select-one.workload';
import { ratio, table, value } from './markdown';

/**
 * `SELECT 1` per client: queries per second at each concurrency, and time per query relative to the
 * bare pg Pool and to TypeORM (1.00× is the same; 1.05× is 5 % slower), slice by slice (select-one.workload.ts).
 */
export function policyTable(results: ResultTable, clients: SqlClientSpec[], concurrencies: number[]): string {
  const slowdown = (c: number, client: string, reference: string): string =>
    ratio(results.median(String(c), client, timeRelativeTo(reference)));
  const header = [
    'client',
    ...concurrencies.map((c) => `queries/s at ${c}`),
    ...concurrencies.map((c) => `time vs pg Pool at ${c}`),
    ...concurrencies.map((c) => `time vs TypeORM at ${c}`),
  ];
  const body = clients.map((client) => [
    client.label,
    ...concurrencies.map((c) =>
      results.error(String(c), client.id) ? 'failed' : value(results.median(String(c), client.id, 'queries/s')),
    ),
    ...concurrencies.map((c) => slowdown(c, client.id, 'pg-pool')),
    ...concurrencies.map((c) => slowdown(c, client.id, 'typeorm')),
  ]);
  return table(header, body);
}
