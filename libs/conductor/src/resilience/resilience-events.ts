import type { Classification } from './classify-error';

/** Breaker states as `stats()` and health checks report them. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** What a `ResiliencePolicy` tells its listeners; it never logs by itself. */
export interface ResilienceListener {
  /** A failed attempt will be retried after `delayMs`. */
  onRetry?(event: { attempt: number; delayMs: number; error: unknown; classification: Classification }): void;
  /** A call succeeded; `startedAt` (epoch ms) is when its successful attempt began. */
  onSuccess?(event: { startedAt: number }): void;
  /** A call failed for good. */
  onFailure?(event: { error: unknown; classification: Classification }): void;
  /** The breaker changed state. */
  onBreakerState?(state: BreakerState, lastFailure?: string): void;
  /** Misconfiguration was escalated after its bounded attempts. */
  onMisconfiguration?(error: Error): void;
}
