// NOTE: an error raised after a statement was written to the socket, with no answer from the server,
// leaves it unknown whether the statement ran. Such errors are marked so the policy retries them only
// when the caller declared the statement idempotent.
const sentErrors = new WeakSet<object>();

/** Marks `error` as raised after the statement may have reached the server. */
export function markMaybeExecuted(error: unknown): void {
  if (typeof error === 'object' && error !== null) sentErrors.add(error);
}

/** Tells whether the statement that raised `error` may have run on the server. */
export function mayHaveExecuted(error: unknown): boolean {
  return typeof error === 'object' && error !== null && sentErrors.has(error);
}
