/** One completion as the completion statements read it; `resultJson` is already encoded JSON. */
export interface CompletionItem {
  lease: string;
  resultJson: string;
}

type CompletionStatement = 'complete_executions' | 'complete_executions_unretained';

/** Which completion statement applies: finished executions kept (retention > 0) or not. */
export function completionStatementName(retentionMs: number): CompletionStatement {
  return retentionMs > 0 ? 'complete_executions' : 'complete_executions_unretained';
}

/**
 * The parameters of the completion statement: the leases as a bigint array literal and, when finished
 * executions are kept, the results that are not null as a JSON object keyed by lease (NULL when none).
 * Built by hand: leases are digits and results encoded JSON, so nothing needs escaping, and a batch of a
 * thousand costs two string joins, a fraction of the bytes of one object per completion.
 */
export function completionParams(items: readonly CompletionItem[], retentionMs: number): string[] | [string, string | null] {
  const leases = `{${items.map((c) => c.lease).join(',')}}`;
  if (completionStatementName(retentionMs) === 'complete_executions_unretained') return [leases];
  const results = items.filter((c) => c.resultJson !== 'null').map((c) => `"${c.lease}":${c.resultJson}`);
  return [leases, results.length === 0 ? null : `{${results.join(',')}}`];
}
