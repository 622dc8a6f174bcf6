import type { Classification } from '../resilience/classify-error';
import type { BreakerState } from '../resilience/resilience-events';

/** Events a `Database` emits for metrics and tracing; listening is optional and costs nothing otherwise. */
export interface DatabaseEventMap {
  /** A statement ran: time to get a connection and time to execute, apart. */
  query: [{ key: string; acquireMs: number; executeMs: number; route: 'primary' | 'replica' }];
  /** An attempt failed and will be retried. */
  retry: [{ key: string; attempt: number; delayMs: number; classification: Classification }];
  /** A call failed for good. */
  failure: [{ key: string; classification: Classification }];
  /** The breaker changed state. */
  breaker: [{ key: string; state: BreakerState }];
}
