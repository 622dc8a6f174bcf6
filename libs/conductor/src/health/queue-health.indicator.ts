import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { QueueStats } from '../queue/queue.interfaces';
import { checkCallTimeout } from '../resilience/check-call-timeout';
import { withDeadline } from '../resilience/with-deadline';
import { assessQueue } from './assess-queue';
import type { QueueHealthOptions, QueueHealthSources } from './queue-health-options.interface';

const DEFAULT_TIMEOUT_MS = 1_000;
const DEFAULT_OLDEST_READY_AGE_MS = 60_000;

/**
 * QueueHealthIndicator reports this process's part of the queue to Terminus: registered, heartbeating
 * within `staleAfterMs`, workers running (or deliberately off), with the ready count, the oldest ready
 * age and the dead count. A backlog at a threshold is `up` with `degraded: true`. It never throws.
 */
export class QueueHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    /** Null when the application has no queue (`options.queue` unset). */
    private readonly sources: QueueHealthSources | null,
  ) {}

  /** Reads the orchestrator's status and the queue's counts within `timeoutMs` and reports them under `key` (default `queue`). */
  async check(options: QueueHealthOptions = {}): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(options.key ?? 'queue');
    if (!this.sources) {
      return indicator.down({
        workers: 'absent',
        degraded: false,
        reason: 'no queue in this application (options.queue is not set)',
      });
    }
    const { queue } = this.sources;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      // A bad timeout would otherwise read as the queue timing out.
      checkCallTimeout(timeoutMs, 'QueueHealthIndicator.check');
      const status = this.sources.orchestrator.status();
      let stats: QueueStats | { error: string };
      try {
        stats = await withDeadline(
          timeoutMs,
          undefined,
          () => new Error(`timeout of ${timeoutMs}ms exceeded`),
          (signal) => queue.stats({ signal }),
        );
      } catch (error) {
        stats = { error: messageOf(error) };
      }
      const verdict = assessQueue({
        status,
        stats,
        now: Date.now(),
        thresholds: { oldestReadyAgeMs: DEFAULT_OLDEST_READY_AGE_MS, ...options.degradedWhen },
      });
      return verdict.up ? indicator.up({ ...verdict.details }) : indicator.down({ ...verdict.details });
    } catch (error) {
      return indicator.down({ workers: 'absent', degraded: false, reason: messageOf(error) });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
