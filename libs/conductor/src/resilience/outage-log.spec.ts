import type { Classification } from './classify-error';
import { OutageLog } from './outage-log';

const LOST: Classification = { kind: 'transient', reason: 'ECONNREFUSED' };
const DEADLOCK: Classification = { kind: 'transient', reason: 'SQLSTATE 40P01' };

/** An outage log on a clock the test moves by hand, writing into `lines`. */
function setup(intervalMs = 30_000) {
  let now = 1_000_000;
  const lines: { level: string; message: string }[] = [];
  const logger = {
    log: (message: string) => void lines.push({ level: 'log', message }),
    warn: (message: string) => void lines.push({ level: 'warn', message }),
    error: (message: string) => void lines.push({ level: 'error', message }),
  };
  const log = new OutageLog('reference', logger, intervalMs, () => now);
  const retry = (classification = LOST) => log.onRetry({ attempt: 1, delayMs: 10, error: new Error('x'), classification });
  return {
    log,
    lines,
    retry,
    advance: (ms: number) => void (now += ms),
    now: () => now,
    matching: (pattern: RegExp) => lines.filter((l) => pattern.test(l.message)),
  };
}

describe('OutageLog', () => {
  it('writes one line when an outage starts, however many retries follow', () => {
    const t = setup();
    for (let i = 0; i < 500; i++) {
      t.retry();
      t.advance(10);
    }
    expect(t.matching(/outage started/)).toHaveLength(1);
    expect(t.lines[0]).toEqual({ level: 'warn', message: expect.stringContaining('database "reference": outage started') });
    expect(t.lines).toHaveLength(1);
    expect(t.log.retries).toBe(500);
  });

  it('writes at most one summary per interval while the outage lasts', () => {
    const t = setup(30_000);
    // Two minutes of retries, one every 100 ms (the first summary counts 0 … 30 000 ms, 301 retries).
    for (let ms = 0; ms <= 120_000; ms += 100) {
      t.retry();
      t.advance(100);
    }
    const summaries = t.matching(/retries in the last/);
    expect(summaries.length).toBeGreaterThanOrEqual(3);
    expect(summaries.length).toBeLessThanOrEqual(4);
    expect(summaries[0].message).toMatch(/301 retries in the last 30 s/);
  });

  it('writes one line when the outage ends, and starts afresh on the next one', () => {
    const t = setup();
    t.retry();
    t.advance(2_500);
    t.log.onSuccess({ startedAt: t.now() });
    t.log.onSuccess({ startedAt: t.now() });
    expect(t.matching(/recovered after 2\.5 s and 1 retries/)).toHaveLength(1);
    expect(t.log.inOutage).toBe(false);
    t.retry();
    expect(t.matching(/outage started/)).toHaveLength(2);
  });

  it('does not take a call that began before the outage for a recovery', () => {
    const t = setup();
    const before = t.now();
    t.advance(5);
    t.retry();
    t.log.onSuccess({ startedAt: before });
    t.advance(5);
    expect(t.log.inOutage).toBe(true);
    expect(t.matching(/recovered/)).toHaveLength(0);
  });

  it('does not take a call begun in the millisecond of the latest failure for a recovery', () => {
    const t = setup();
    t.retry();
    // Begun in the same millisecond as the failure: it may have begun before it, on a connection the
    // server had not yet dropped.
    t.log.onSuccess({ startedAt: t.now() });
    expect(t.log.inOutage).toBe(true);
    t.advance(1);
    t.log.onSuccess({ startedAt: t.now() });
    expect(t.log.inOutage).toBe(false);
    expect(t.matching(/recovered/)).toHaveLength(1);
  });

  it('logs a flapping breaker once, not once per probe', () => {
    const t = setup(30_000);
    t.log.onBreakerState('open', 'ECONNREFUSED');
    for (let probe = 0; probe < 50; probe++) {
      t.advance(200);
      t.log.onBreakerState('half-open');
      t.log.onBreakerState('open', 'ECONNREFUSED');
    }
    t.log.onBreakerState('half-open');
    t.log.onBreakerState('closed');
    expect(t.matching(/outage started/)).toHaveLength(1);
    expect(t.matching(/circuit breaker opened/)).toHaveLength(1);
    expect(t.matching(/circuit breaker closed/)).toHaveLength(1);
    expect(t.matching(/recovered/)).toHaveLength(1);
    expect(t.lines.length).toBeLessThanOrEqual(5);
  });

  it('starts an outage on a transient failure that was not retried', () => {
    const t = setup();
    t.log.onFailure({ error: new Error('x'), classification: { kind: 'permanent', reason: 'SQLSTATE 23505' } });
    expect(t.log.inOutage).toBe(false);
    t.log.onFailure({ error: new Error('x'), classification: LOST });
    expect(t.log.inOutage).toBe(true);
  });

  it('retries contention (deadlock, serialization failure) quietly', () => {
    const t = setup();
    for (let i = 0; i < 20; i++) t.retry(DEADLOCK);
    expect(t.lines).toEqual([]);
    expect(t.log.inOutage).toBe(false);
  });
});
