import type { QueueStats } from '../queue/queue.interfaces';
import type { OrchestratorStatus } from '../queue/orchestrator';
import type { QueueBacklogThresholds, QueueHealthDetails } from './queue-health-options.interface';

/** What the queue check observed. */
export interface QueueObservation {
  status: OrchestratorStatus;
  /** The counts, or why they could not be read. */
  stats: QueueStats | { error: string };
  now: number;
  thresholds: QueueBacklogThresholds;
}

/** The verdict of a queue check: `up` (possibly degraded) or `down`, with its details. */
export interface QueueVerdict {
  up: boolean;
  details: QueueHealthDetails;
}

/**
 * Judges this process's queue: shutting down, stopped, not started, unreadable counts are down; so are,
 * where workers run, no registration, a heartbeat older than `staleAfterMs` (other processes will soon
 * sweep its work) or stopped workers. Paused workers or a backlog at a threshold are up but degraded.
 * A producer-only process (`workers: false`) neither registers nor heartbeats, and that is fine.
 */
export function assessQueue({ status, stats, now, thresholds }: QueueObservation): QueueVerdict {
  const heartbeatAgeMs = status.lastHeartbeatAt ? Math.max(0, now - status.lastHeartbeatAt.getTime()) : undefined;
  const counts = 'error' in stats ? {} : { ready: stats.ready, oldestReadyAgeMs: stats.oldestReadyAgeMs, dead: stats.dead };
  const details = { registered: status.registered, heartbeatAgeMs, workers: status.workers, ...counts };

  const down: string[] = [];
  if (status.shuttingDown) down.push('shutting down');
  else if (status.stoppedReason) down.push(`stopped: ${status.stoppedReason}`);
  else if (!status.ready) down.push('queue not started (migrating, or its database is unreachable)');
  if (status.workers !== 'disabled' && !status.shuttingDown) {
    if (!status.registered) down.push('orchestrator not registered');
    else if (heartbeatAgeMs === undefined) down.push('no heartbeat yet');
    else if (heartbeatAgeMs > status.staleAfterMs)
      down.push(`heartbeat stale (${heartbeatAgeMs} ms > ${status.staleAfterMs} ms)`);
    if (status.workers === 'stopped') down.push('workers stopped');
  }
  if ('error' in stats) down.push(`queue stats unavailable: ${stats.error}`);
  if (down.length > 0) return { up: false, details: { ...details, degraded: false, reason: down.join('; ') } };

  const degraded: string[] = [];
  if (status.workers === 'paused') degraded.push('workers paused (the queue database is unavailable)');
  const s = stats as QueueStats;
  if (thresholds.ready !== undefined && s.ready >= thresholds.ready)
    degraded.push(`backlog: ${s.ready} ready (>= ${thresholds.ready})`);
  if (thresholds.oldestReadyAgeMs !== undefined && s.oldestReadyAgeMs >= thresholds.oldestReadyAgeMs) {
    degraded.push(`backlog: oldest ready waits ${Math.round(s.oldestReadyAgeMs)} ms (>= ${thresholds.oldestReadyAgeMs} ms)`);
  }
  if (thresholds.dead !== undefined && s.dead >= thresholds.dead) degraded.push(`${s.dead} dead (>= ${thresholds.dead})`);
  return {
    up: true,
    details: { ...details, degraded: degraded.length > 0, ...(degraded.length > 0 && { reason: degraded.join('; ') }) },
  };
}
