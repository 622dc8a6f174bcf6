import { MAX_TIMER_MS } from '../resilience/check-call-timeout';
import type { QueueOptions } from './conductor-options.interface';
import { DEFAULT_QUEUE } from './defaults';
import { InvalidOptionsError } from './invalid-options.error';
import { checkBoolean, checkInteger, checkKnownKeys, checkObject, checkString } from './option-checks';
import type { ResolvedQueueOptions } from './resolved-options.interface';

const QUEUE_KEYS = [
  'database',
  'schema',
  'concurrency',
  'pollIntervalMs',
  'heartbeatIntervalMs',
  'staleAfterMs',
  'workers',
  'listen',
  'prefetch',
  'queues',
  'strict',
  'maxPayloadBytes',
  'maxAttempts',
  'backoff',
  'timeoutMs',
  'completionBatchSize',
  'completionFlushMs',
  'shutdownGraceMs',
  'retentionMs',
  'idempotencyRetentionMs',
  'migrationLockTimeoutMs',
  'migrate',
] as const;

/** Validates `options.queue` against the declared database keys and fills in defaults. */
export function validateQueueOptions(raw: unknown, databaseKeys: readonly string[]): ResolvedQueueOptions {
  checkObject(raw, 'queue');
  const options = raw as QueueOptions;
  const name = (path: string): string => `queue.${path}`;
  checkKnownKeys(options, QUEUE_KEYS, name);
  if (typeof options.database !== 'string' || !databaseKeys.includes(options.database)) {
    throw new InvalidOptionsError(
      'queue.database',
      `expected one of the database keys (${databaseKeys.join(', ')}), got ${JSON.stringify(options.database)}`,
    );
  }
  checkString(options.schema, name('schema'));
  // The name is always quoted; `$` is refused too because the schema's functions are dollar-quoted.
  if (options.schema !== undefined && (Buffer.byteLength(options.schema) > 63 || /[\0$]/.test(options.schema))) {
    throw new InvalidOptionsError(name('schema'), 'a schema name has at most 63 bytes and no NUL or "$" character');
  }
  for (const key of ['concurrency', 'maxPayloadBytes', 'maxAttempts', 'timeoutMs', 'completionBatchSize'] as const) {
    checkInteger(options[key], name(key), 1);
  }
  // These feed timers (or bound a wait), and a Node timer longer than MAX_TIMER_MS fires at once.
  for (const key of [
    'pollIntervalMs',
    'heartbeatIntervalMs',
    'staleAfterMs',
    'shutdownGraceMs',
    'migrationLockTimeoutMs',
  ] as const) {
    checkInteger(options[key], name(key), 1, MAX_TIMER_MS);
  }
  checkInteger(options.completionFlushMs, name('completionFlushMs'), 0, MAX_TIMER_MS);
  for (const key of ['prefetch', 'retentionMs', 'idempotencyRetentionMs'] as const) {
    checkInteger(options[key], name(key), 0);
  }
  for (const key of ['workers', 'listen', 'strict', 'migrate'] as const) checkBoolean(options[key], name(key));
  checkObject(options.backoff, name('backoff'));
  if (options.backoff) checkKnownKeys(options.backoff, ['initialDelayMs', 'maxDelayMs'], name, 'backoff.');
  checkInteger(options.backoff?.initialDelayMs, name('backoff.initialDelayMs'), 0, MAX_TIMER_MS);
  checkInteger(options.backoff?.maxDelayMs, name('backoff.maxDelayMs'), 0, MAX_TIMER_MS);
  if (options.queues !== undefined) {
    if (!Array.isArray(options.queues) || options.queues.length === 0) {
      throw new InvalidOptionsError(name('queues'), 'expected a non-empty array of queue names');
    }
    options.queues.forEach((queue, index) => checkString(queue, name(`queues.${index}`)));
  }

  const resolved: ResolvedQueueOptions = {
    ...DEFAULT_QUEUE,
    ...stripUndefined(options),
    database: options.database,
    backoff: { ...DEFAULT_QUEUE.backoff, ...stripUndefined(options.backoff ?? {}) },
    queues: options.queues ?? null,
    prefetch: options.prefetch ?? null,
    strict: options.strict ?? options.workers ?? DEFAULT_QUEUE.workers,
  };
  if (resolved.staleAfterMs <= resolved.heartbeatIntervalMs) {
    throw new InvalidOptionsError(
      name('staleAfterMs'),
      `must be greater than heartbeatIntervalMs (${resolved.heartbeatIntervalMs}), or live orchestrators get swept`,
    );
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
