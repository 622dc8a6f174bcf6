/** One completion as the completion statements read it; `resultJson` is already encoded JSON. */
export interface CompletionItem {
  id: string;
  lease: string;
  resultJson: string;
}

/**
 * The JSON document of complete-executions.sql: `[{ id, lease, result }]`. Built by hand: ids are uuids,
 * leases digits and results encoded JSON, so nothing needs escaping, and a batch of a thousand costs a
 * string join instead of a JSON.stringify of a thousand objects.
 */
export function completionDocument(items: readonly CompletionItem[]): string {
  return `[${items.map((c) => `{"id":"${c.id}","lease":${c.lease},"result":${c.resultJson}}`).join(',')}]`;
}

/** Which completion statement applies: finished executions kept (retention > 0) or not. */
export function completionStatementName(retentionMs: number): 'complete_executions' | 'complete_executions_unretained' {
  return retentionMs > 0 ? 'complete_executions' : 'complete_executions_unretained';
}
