import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { raceAbort } from '../resilience/abortable';
import type { QueueStats } from '../queue/queue.interfaces';
import { assessQueue } from './assess-queue';
import { CheckDeadline } from './check-deadline';
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
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = new CheckDeadline(timeoutMs);
    try {
      const status = this.sources.orchestrator.status();
      let stats: QueueStats | { error: string };
      try {
        const pending = this.sources.queue.stats({ signal: deadline.signal });
        stats = await raceAbort(pending, deadline.signal, (late) => void late.catch(() => undefined));
      } catch (error) {
        stats = { error: deadline.signal.aborted ? `timeout of ${timeoutMs}ms exceeded` : messageOf(error) };
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
    } finally {
      deadline.clear();
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
