import { MAX_TIMER_MS } from '../resilience/check-call-timeout';
import type { ResilienceOptions } from './conductor-options.interface';
import { InvalidOptionsError } from './invalid-options.error';
import { checkInteger, checkKnownKeys, checkObject, type OptionNamer } from './option-checks';
import type { ResolvedResilience } from './resolved-options.interface';

const RESILIENCE_KEYS = ['retry', 'breaker', 'timeoutMs', 'maxQueued', 'logIntervalMs'] as const;
const RETRY_KEYS = ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'misconfigurationAttempts'] as const;
const BREAKER_KEYS = ['consecutiveFailures', 'halfOpenAfterMs'] as const;

/** Validates resilience options and merges them over `defaults`. */
export function resolveResilience(
  options: ResilienceOptions | undefined,
  defaults: ResolvedResilience,
  name: OptionNamer,
): ResolvedResilience {
  if (options === undefined) return defaults;
  checkObject(options, name(''));
  checkKnownKeys(options, RESILIENCE_KEYS, name);
  checkObject(options.retry, name('retry'));
  checkObject(options.breaker, name('breaker'));
  if (options.retry) checkKnownKeys(options.retry, RETRY_KEYS, name, 'retry.');
  if (options.breaker) checkKnownKeys(options.breaker, BREAKER_KEYS, name, 'breaker.');

  const resolved: ResolvedResilience = {
    retry: { ...defaults.retry, ...options.retry },
    breaker: { ...defaults.breaker, ...options.breaker },
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    maxQueued: options.maxQueued ?? defaults.maxQueued,
    logIntervalMs: options.logIntervalMs ?? defaults.logIntervalMs,
  };
  checkInteger(resolved.retry.maxAttempts, name('retry.maxAttempts'), 1, 100);
  // A timer longer than 2^31 - 1 ms fires at once in Node: a larger delay would retry without waiting.
  checkInteger(resolved.retry.initialDelayMs, name('retry.initialDelayMs'), 0, MAX_TIMER_MS);
  checkInteger(resolved.retry.maxDelayMs, name('retry.maxDelayMs'), 0, MAX_TIMER_MS);
  checkInteger(resolved.retry.misconfigurationAttempts, name('retry.misconfigurationAttempts'), 1, 100);
  checkInteger(resolved.breaker.consecutiveFailures, name('breaker.consecutiveFailures'), 1);
  checkInteger(resolved.breaker.halfOpenAfterMs, name('breaker.halfOpenAfterMs'), 1, MAX_TIMER_MS);
  // A larger deadline would time every call out at once.
  checkInteger(resolved.timeoutMs, name('timeoutMs'), 1, MAX_TIMER_MS);
  checkInteger(resolved.maxQueued, name('maxQueued'), 0);
  checkInteger(resolved.logIntervalMs, name('logIntervalMs'), 1);
  if (resolved.retry.initialDelayMs > resolved.retry.maxDelayMs) {
    throw new InvalidOptionsError(name('retry.initialDelayMs'), 'is greater than retry.maxDelayMs');
  }
  return resolved;
}
