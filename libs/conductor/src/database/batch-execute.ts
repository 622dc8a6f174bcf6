import { raceAbort } from '../resilience/abortable';
import { checkCallTimeout } from '../resilience/check-call-timeout';
import type { Database } from './database';

/** One operation of a batch: a function of the database, or a statement to run under the policy. */
export type BatchOperation<T> =
  ((db: Database, signal: AbortSignal) => Promise<T>) | { sql: string; params?: unknown[]; idempotent?: boolean };

/** Options of `Database.batchExecute`. */
export interface BatchOptions {
  /** Operations started per batch; the next batch starts when the previous one has settled (default 50). */
  batchSize?: number;
  /** Operations running at once within a batch (default: the pool size). */
  concurrency?: number;
  /** Deadline of the whole run; what has not finished by then fails with a timeout (default: none). */
  timeoutMs?: number;
  /** Aborts the run. */
  signal?: AbortSignal;
}

/** What `Database.batchExecute` returns: every result and every error by the operation's index. */
export interface BatchResult<T> {
  /** Results by operation index; `undefined` where the operation failed. */
  results: (T | undefined)[];
  /** One entry per failed operation. */
  errors: { index: number; error: unknown }[];
  stats: { processed: number; failed: number; durationMs: number };
}

/** Runs `ops` in batches with bounded concurrency; one failure never stops the others. */
export async function runBatch<T>(
  db: Database,
  ops: ReadonlyArray<BatchOperation<T>>,
  options: BatchOptions,
): Promise<BatchResult<T>> {
  const batchSize = positive(options.batchSize, 50, 'batchSize');
  const concurrency = positive(options.concurrency, db.settings.pool.max, 'concurrency');
  if (options.timeoutMs !== undefined) checkCallTimeout(options.timeoutMs, `batchExecute on "${db.key}"`);
  const started = performance.now();
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(
          () => controller.abort(new Error(`batchExecute on "${db.key}" exceeded its ${options.timeoutMs} ms timeout`)),
          options.timeoutMs,
        )
      : undefined;

  const results: (T | undefined)[] = new Array(ops.length).fill(undefined);
  const errors: { index: number; error: unknown }[] = [];
  try {
    for (let start = 0; start < ops.length; start += batchSize) {
      const end = Math.min(start + batchSize, ops.length);
      let next = start;
      const lane = async (): Promise<void> => {
        while (next < end) {
          const index = next++;
          try {
            controller.signal.throwIfAborted();
            results[index] = await raceAbort(startOperation(ops[index], db, controller.signal), controller.signal);
          } catch (error) {
            errors.push({ index, error: controller.signal.aborted ? (controller.signal.reason ?? error) : error });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, end - start) }, lane));
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  errors.sort((a, b) => a.index - b.index);
  return {
    results,
    errors,
    stats: { processed: ops.length, failed: errors.length, durationMs: Math.round(performance.now() - started) },
  };
}

function startOperation<T>(op: BatchOperation<T>, db: Database, signal: AbortSignal): Promise<T> {
  if (typeof op === 'function') return op(db, signal);
  return db.query(op.sql, op.params, { signal, idempotent: op.idempotent }) as Promise<T>;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`batchExecute: ${name} must be an integer >= 1, got ${value}`);
  return value;
}
