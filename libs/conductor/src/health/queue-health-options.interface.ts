import type { OrchestratorStatus } from '../queue/orchestrator';
import type { QueueStats } from '../queue/queue.interfaces';

/** Who the queue check asks: the orchestrator (`Orchestrator`) for its status, the queue (`QueueService`) for its counts. */
export interface QueueHealthSources {
  orchestrator: { status(): OrchestratorStatus };
  queue: { stats(options?: { signal?: AbortSignal }): Promise<QueueStats> };
}

/** Backlog levels (each optional) at or above which the queue is reported degraded. */
export interface QueueBacklogThresholds {
  /** Executions ready to run now. */
  ready?: number;
  /** Age of the oldest ready execution (default 60 000 ms). */
  oldestReadyAgeMs?: number;
  /** Dead executions waiting for a replay. */
  dead?: number;
}

/** Options of one `QueueHealthIndicator.check`. */
export interface QueueHealthOptions {
  /** The key of the result (default `queue`). */
  key?: string;
  /** Deadline of the stats query; past it the queue is `down` (default 1 000 ms). */
  timeoutMs?: number;
  /** Backlog that turns the queue degraded. */
  degradedWhen?: QueueBacklogThresholds;
}

/** The details a queue check reports next to its `status`. */
export interface QueueHealthDetails {
  registered: boolean;
  /** Milliseconds since this process last heartbeat; absent before the first one. */
  heartbeatAgeMs?: number;
  workers: OrchestratorStatus['workers'] | 'absent';
  ready?: number;
  oldestReadyAgeMs?: number;
  dead?: number;
  degraded: boolean;
  reason?: string;
}
