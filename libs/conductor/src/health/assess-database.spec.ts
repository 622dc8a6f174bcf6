import { type DatabaseObservation, assessDatabase } from './assess-database';

const healthy: DatabaseObservation = {
  stats: { state: 'connected', pool: { total: 2, idle: 2, waiting: 0, max: 10 } },
  breaker: 'closed',
  latencyMs: 3,
  degradedLatencyMs: 500,
  poolSaturation: 0.9,
};

describe('assessDatabase', () => {
  it('is up and not degraded when connected, closed, idle and fast', () => {
    expect(assessDatabase(healthy)).toEqual({
      up: true,
      details: { latencyMs: 3, breaker: 'closed', pool: { total: 2, idle: 2, waiting: 0, max: 10 }, degraded: false },
    });
  });

  it('is down when the ping failed, naming why', () => {
    const verdict = assessDatabase({ ...healthy, latencyMs: undefined, pingError: 'timeout of 200ms exceeded' });
    expect(verdict.up).toBe(false);
    expect(verdict.details).toMatchObject({ degraded: false, reason: 'timeout of 200ms exceeded' });
  });

  it('is down when not connected, with the last connection error', () => {
    const verdict = assessDatabase({
      ...healthy,
      latencyMs: undefined,
      stats: { ...healthy.stats, state: 'disconnected', lastError: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
    expect(verdict).toMatchObject({
      up: false,
      details: { reason: 'not connected (disconnected: connect ECONNREFUSED 127.0.0.1:1)' },
    });
  });

  it('is down when the breaker is open even though the ping answered', () => {
    expect(assessDatabase({ ...healthy, breaker: 'open' })).toMatchObject({
      up: false,
      details: { breaker: 'open', reason: 'circuit breaker open' },
    });
  });

  it('is up but degraded while the breaker is half-open', () => {
    expect(assessDatabase({ ...healthy, breaker: 'half-open' })).toMatchObject({
      up: true,
      details: { degraded: true, reason: 'circuit breaker half-open' },
    });
  });

  it('is degraded when someone waits for a connection or the pool is nearly all in use', () => {
    const waiting = assessDatabase({
      ...healthy,
      stats: { state: 'connected', pool: { total: 10, idle: 5, waiting: 1, max: 10 } },
    });
    expect(waiting.details).toMatchObject({ degraded: true, reason: 'pool saturated (5/10 in use, 1 waiting)' });
    const busy = assessDatabase({ ...healthy, stats: { state: 'connected', pool: { total: 10, idle: 1, waiting: 0, max: 10 } } });
    expect(busy.details.degraded).toBe(true);
    const fine = assessDatabase({ ...healthy, stats: { state: 'connected', pool: { total: 10, idle: 2, waiting: 0, max: 10 } } });
    expect(fine.details.degraded).toBe(false);
  });

  it('is degraded by a slow ping, and lists every reason', () => {
    const verdict = assessDatabase({ ...healthy, breaker: 'half-open', latencyMs: 700 });
    expect(verdict.details.reason).toBe('circuit breaker half-open; slow ping (700 ms >= 500 ms)');
  });
});
