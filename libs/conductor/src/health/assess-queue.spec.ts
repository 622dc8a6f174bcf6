import type { QueueStats } from '../queue/queue.interfaces';
import { type QueueObservation, assessQueue } from './assess-queue';

const now = Date.parse('2026-11-22T12:00:00Z');
const stats: QueueStats = { tasks: [], ready: 3, oldestReadyAgeMs: 1_500, dead: 0, completedLastMinute: 10 };
const healthy: QueueObservation = {
  status: {
    registered: true,
    lastHeartbeatAt: new Date(now - 2_000),
    workers: 'running',
    shuttingDown: false,
    staleAfterMs: 30_000,
    ready: true,
  },
  stats,
  now,
  thresholds: { oldestReadyAgeMs: 60_000 },
};

describe('assessQueue', () => {
  it('is up with the counts when registered, heartbeating and working', () => {
    expect(assessQueue(healthy)).toEqual({
      up: true,
      details: {
        registered: true,
        heartbeatAgeMs: 2_000,
        workers: 'running',
        ready: 3,
        oldestReadyAgeMs: 1_500,
        dead: 0,
        degraded: false,
      },
    });
  });

  it('accepts a producer-only process, which neither registers nor heartbeats', () => {
    const producer = { ...healthy.status, workers: 'disabled' as const, registered: false, lastHeartbeatAt: undefined };
    expect(assessQueue({ ...healthy, status: producer }).up).toBe(true);
    expect(assessQueue({ ...healthy, status: { ...producer, ready: false } }).up).toBe(false);
  });

  it('is down when the heartbeat is older than staleAfterMs', () => {
    const verdict = assessQueue({ ...healthy, status: { ...healthy.status, lastHeartbeatAt: new Date(now - 31_000) } });
    expect(verdict).toMatchObject({ up: false, details: { reason: 'heartbeat stale (31000 ms > 30000 ms)' } });
  });

  it('is down when not registered, shutting down, stopped, or the counts are unreadable', () => {
    expect(assessQueue({ ...healthy, status: { ...healthy.status, registered: false } }).details.reason).toBe(
      'orchestrator not registered',
    );
    expect(assessQueue({ ...healthy, status: { ...healthy.status, shuttingDown: true } }).up).toBe(false);
    expect(assessQueue({ ...healthy, status: { ...healthy.status, workers: 'stopped' } }).up).toBe(false);
    expect(assessQueue({ ...healthy, status: { ...healthy.status, stoppedReason: 'a newer schema' } }).details.reason).toBe(
      'stopped: a newer schema',
    );
    expect(assessQueue({ ...healthy, status: { ...healthy.status, ready: false } }).details.reason).toMatch(/^queue not started/);
    const unreadable = assessQueue({ ...healthy, stats: { error: 'timeout of 1000ms exceeded' } });
    expect(unreadable).toMatchObject({ up: false, details: { reason: 'queue stats unavailable: timeout of 1000ms exceeded' } });
    expect(unreadable.details.ready).toBeUndefined();
  });

  it('turns a backlog at a threshold into degraded', () => {
    const verdict = assessQueue({
      ...healthy,
      stats: { ...stats, ready: 500, dead: 2, oldestReadyAgeMs: 90_000 },
      thresholds: { ready: 500, oldestReadyAgeMs: 60_000, dead: 1 },
    });
    expect(verdict.up).toBe(true);
    expect(verdict.details.degraded).toBe(true);
    expect(verdict.details.reason).toBe(
      'backlog: 500 ready (>= 500); backlog: oldest ready waits 90000 ms (>= 60000 ms); 2 dead (>= 1)',
    );
  });

  it('is degraded while workers are paused', () => {
    expect(assessQueue({ ...healthy, status: { ...healthy.status, workers: 'paused' } }).details).toMatchObject({
      degraded: true,
    });
  });
});
