/** One completion as the completion statements read it; `resultJson` is already encoded JSON. */
export interface CompletionItem {
  lease: string;
  resultJson: string;
}

/**
 * The completion statement and its parameters. Finished executions kept (retention > 0): the leases as
 * a bigint array literal, and the results that are not null as a JSON object keyed by lease (NULL when
 * none). Not kept: the leases alone. Built by hand: leases are digits and results encoded JSON, so
 * nothing needs escaping, and a batch of a thousand costs two string joins.
 */
export function completionStatement(
  items: readonly CompletionItem[],
  retentionMs: number,
): { name: 'complete_executions' | 'complete_executions_unretained'; params: (string | null)[] } {
  const leases = `{${items.map((c) => c.lease).join(',')}}`;
  if (retentionMs <= 0) return { name: 'complete_executions_unretained', params: [leases] };
  const results = items.filter((c) => c.resultJson !== 'null').map((c) => `"${c.lease}":${c.resultJson}`);
  return { name: 'complete_executions', params: [leases, results.length === 0 ? null : `{${results.join(',')}}`] };
}
