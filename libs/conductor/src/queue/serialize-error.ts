/** One attempt's error as stored in the execution's history: plain JSON, bounded in size. */
export function serializeError(error: unknown, attempt: number): { attempt: number; at: string; name: string; message: string } {
  const name = error instanceof Error ? error.name : typeof error;
  let message: string;
  if (error instanceof Error) message = error.message;
  else if (typeof error === 'string') message = error;
  else {
    try {
      message = `non-Error thrown: ${JSON.stringify(error) ?? String(error)}`;
    } catch {
      message = `non-Error thrown: ${String(error)}`;
    }
  }
  // NUL cannot be stored in jsonb; long messages are cut so a history row stays small.
  message = message.split('\u0000').join('\\0').slice(0, 2_000);
  return { attempt, at: new Date().toISOString(), name: name.split('\u0000').join(''), message };
}
