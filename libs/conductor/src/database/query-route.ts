/** Where a statement runs: the primary, or one of the replicas. */
export type QueryRoute = 'primary' | 'replica';

// Locking reads and functions with side effects must see (and change) the primary.
const WRITES_IN_DISGUISE =
  /\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b|\bnextval\s*\(|\bsetval\s*\(|\bpg_advisory|\binto\b/i;

/**
 * Decides where a statement goes when the caller did not say: plain `SELECT`s go to a replica,
 * everything else (writes, locking reads, `nextval`, `SELECT … INTO`) to the primary.
 */
export function routeStatement(sql: string): QueryRoute {
  const text = sql.replace(/^(\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  if (!/^select\b/i.test(text)) return 'primary';
  return WRITES_IN_DISGUISE.test(text) ? 'primary' : 'replica';
}
