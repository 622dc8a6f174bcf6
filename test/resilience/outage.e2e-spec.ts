import type { TestingModule } from '@nestjs/testing';
import { type BreakerState, Database, getDatabaseToken, isDatabaseCallError } from '@conductor/nestjs';
import { CapturedLogs, startConductor } from '../support/app';
import { type EmbeddedServer, startEmbeddedServer } from '../support/embedded-server';
import { eventually } from '../support/wait-for';

const TIMEOUT_MS = 3_000;

// The server is stopped and started again while callers keep querying: a real outage, on a server
// of the test's own (the shared one is never stopped).
describe('an outage mid-load', () => {
  let server: EmbeddedServer;
  let app: TestingModule;
  let db: Database;
  const logs = new CapturedLogs();

  beforeAll(async () => {
    server = await startEmbeddedServer({ quiet: true });
    app = await startConductor(
      {
        databases: {
          main: {
            url: server.url(),
            pool: { max: 4, acquireTimeoutMs: 1_000 },
            resilience: {
              retry: { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 400 },
              breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 },
              timeoutMs: TIMEOUT_MS,
            },
          },
        },
      },
      {},
      logs,
    );
    db = app.get<Database>(getDatabaseToken('main'));
  });

  afterAll(async () => {
    await app?.close();
    await server?.destroy();
  });

  it('fails calls fast and transiently while down, recovers when back, and logs the outage once', async () => {
    const breaker: BreakerState[] = [];
    db.events.on('breaker', ({ state }) => breaker.push(state));
    const outcomes: { ok: boolean; error?: unknown; ms: number; afterRestart: boolean }[] = [];
    let restarted = false;
    let stop = false;
    const caller = async (): Promise<void> => {
      while (!stop) {
        const started = performance.now();
        const afterRestart = restarted;
        try {
          await db.query('SELECT 1');
          outcomes.push({ ok: true, ms: performance.now() - started, afterRestart });
        } catch (error) {
          outcomes.push({ ok: false, error, ms: performance.now() - started, afterRestart });
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const callers = Array.from({ length: 4 }, caller);

    await eventually('20 calls succeeded', () => outcomes.filter((o) => o.ok).length >= 20);
    await server.stop();
    await eventually('breaker open', () => db.stats().breaker === 'open');
    await new Promise((resolve) => setTimeout(resolve, 800));
    await server.start();
    restarted = true;
    await eventually('20 calls succeeded after the restart', () => outcomes.filter((o) => o.ok && o.afterRestart).length >= 20);
    stop = true;
    await Promise.all(callers);

    const failures = outcomes.filter((o) => !o.ok);
    expect(failures.length).toBeGreaterThan(0);
    for (const { error } of failures) {
      expect(isDatabaseCallError(error) && error.kind).toBe('transient');
      expect((error as Error).message).toMatch(/database "main"/);
    }
    // Nothing waited past its deadline (the slack covers the event loop, not the database).
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(TIMEOUT_MS + 500);
    expect(breaker).toContain('open');
    expect(breaker[breaker.length - 1]).toBe('closed');
    expect(db.stats()).toMatchObject({ breaker: 'closed', state: 'connected', inOutage: false });

    expect(logs.matching(/outage started/)).toHaveLength(1);
    expect(logs.matching(/circuit breaker opened/)).toHaveLength(1);
    expect(logs.matching(/recovered after/)).toHaveLength(1);
    const ours = logs.lines.filter((l) => /database "main"/.test(l.message));
    expect(ours.length).toBeLessThan(10);
    expect(failures.length + db.stats().retries).toBeGreaterThan(ours.length);
  });
});
