import { Client } from 'pg';

/** Where a child worker SIGKILLs itself: right after sending a fetch, inside a handler, or right after sending a completion. */
export type KillPoint = 'fetch' | 'handler' | 'flush';

// Configured through the environment (test/reliability/worker-kills.e2e-spec.ts):
//   CONDUCTOR_CHILD_KILL_AT     fetch | handler | flush (absent: never)
//   CONDUCTOR_CHILD_KILL_AFTER  the occurrence of that point to die at (default 1)
const point = process.env.CONDUCTOR_CHILD_KILL_AT as KillPoint | undefined;
let left = Number(process.env.CONDUCTOR_CHILD_KILL_AFTER ?? 1);

// The statements each point aims at, by the prefix of their prepared-statement name.
const STATEMENTS: Partial<Record<KillPoint, string>> = {
  fetch: 'conductor_fetch_executions',
  flush: 'conductor_complete_executions',
};

/** Called where a kill point is reached: SIGKILLs this process at the chosen occurrence. */
export function reached(at: KillPoint): void {
  if (at !== point || --left > 0) return;
  process.kill(process.pid, 'SIGKILL');
}

/**
 * Wraps pg's `Client.prototype.query` so that the aimed statement is sent before the process dies: a
 * few milliseconds later at random, so that sometimes the server has not run it yet, sometimes it has
 * committed and only the answer is lost. A real SIGKILL, from the process itself, at a known place.
 */
export function armKillSwitch(): void {
  const prefix = point ? STATEMENTS[point] : undefined;
  if (!prefix) return;
  const original = Client.prototype.query as (...args: unknown[]) => unknown;
  (Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
    this: Client,
    ...args: unknown[]
  ) {
    const result = original.apply(this, args);
    const config = args[0] as { name?: unknown } | undefined;
    if (typeof config?.name === 'string' && config.name.startsWith(prefix)) {
      setTimeout(() => reached(point!), Math.random() * 4);
    }
    return result;
  };
}
