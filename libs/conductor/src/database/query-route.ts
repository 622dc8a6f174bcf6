/** Where a statement runs: the primary, or one of the replicas. */
export type QueryRoute = 'primary' | 'replica';

// Locking reads, `SELECT … INTO`, and functions with side effects or session state must run on the
// primary: a replica refuses them, or (currval, lastval) answers for another session.
const WRITES_IN_DISGUISE = new RegExp(
  [
    String.raw`\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b`,
    String.raw`\binto\b`,
    String.raw`\b(nextval|setval|currval|lastval)\s*\(`,
    String.raw`\bpg_(try_)?advisory`,
    String.raw`\b(pg_notify|set_config|txid_current|pg_current_xact_id|pg_cancel_backend|pg_terminate_backend)\s*\(`,
    String.raw`\blo_\w+\s*\(`,
  ].join('|'),
  'i',
);

/**
 * Decides where a statement goes when the caller did not say: plain `SELECT`s go to a replica,
 * everything else (writes, locking reads, `nextval`, advisory locks, `SELECT … INTO`) to the primary.
 * A function that writes cannot be told apart from one that reads: pass `route: 'primary'` for those.
 */
export function routeStatement(sql: string): QueryRoute {
  const text = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)+/, '');
  if (!/^select\b/i.test(text)) return 'primary';
  return WRITES_IN_DISGUISE.test(text) ? 'primary' : 'replica';
}
