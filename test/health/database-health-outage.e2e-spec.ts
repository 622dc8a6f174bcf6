import type { TestingModule } from '@nestjs/testing';
import { type Database, DatabaseHealthIndicator, DatabaseRegistry } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type EmbeddedServer, startEmbeddedServer } from '../support/embedded-server';

const HALF_OPEN_AFTER_MS = 300;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('DatabaseHealthIndicator through an outage of its server', () => {
  let server: EmbeddedServer;
  let app: TestingModule;
  let indicator: DatabaseHealthIndicator;
  let edge: Database;

  beforeAll(async () => {
    server = await startEmbeddedServer({ quiet: true });
    app = await startConductor({
      databases: { edge: { url: server.url(), pool: { max: 4, acquireTimeoutMs: 2_000 } } },
      // One failure opens the breaker and a short half-open delay lets the test watch it probe.
      resilience: {
        retry: { maxAttempts: 1 },
        breaker: { consecutiveFailures: 1, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
        timeoutMs: 5_000,
      },
    });
    indicator = app.get(DatabaseHealthIndicator);
    edge = app.get(DatabaseRegistry).get('edge');
    await edge.query('SELECT 1');
  });

  afterAll(async () => {
    await app?.close();
    await server?.destroy();
  });

  it('goes down when the server stops, then reports the open breaker', async () => {
    expect((await indicator.check('edge')).edge.status).toBe('up');
    await server.stop();

    const unreachable = await indicator.check('edge', { timeoutMs: 2_000 });
    expect(unreachable.edge).toMatchObject({ status: 'down', breaker: 'closed', degraded: false });
    expect(unreachable.edge.reason).toMatch(/^unreachable: /);

    await expect(edge.query('SELECT 1')).rejects.toThrow();
    expect(edge.breakerState).toBe('open');
    const open = await indicator.check('edge', { timeoutMs: 2_000 });
    expect(open.edge).toMatchObject({ status: 'down', breaker: 'open' });
    expect(open.edge.reason).toContain('circuit breaker open');
  });

  it('reports up and degraded while the breaker is half-open, then up once the probe closes it', async () => {
    await server.start();
    await pause(HALF_OPEN_AFTER_MS + 100);
    // The first call after halfOpenAfterMs is the breaker's probe; a slow one keeps it half-open meanwhile.
    const probe = edge.query('SELECT pg_sleep(1.5)');
    expect(edge.breakerState).toBe('half-open');

    const during = await indicator.check('edge', { timeoutMs: 1_000 });
    expect(during.edge).toMatchObject({
      status: 'up',
      breaker: 'half-open',
      degraded: true,
      reason: 'circuit breaker half-open',
    });

    await probe;
    expect(edge.breakerState).toBe('closed');
    expect((await indicator.check('edge')).edge).toMatchObject({ status: 'up', breaker: 'closed', degraded: false });
  });

  it('closes an open breaker by itself once the server is back, even with no other traffic', async () => {
    await server.stop();
    await expect(edge.query('SELECT 1')).rejects.toThrow();
    expect(edge.breakerState).toBe('open');
    await server.start();
    await pause(HALF_OPEN_AFTER_MS + 100);

    // Only health checks run now: without the check's probe the breaker would stay open and the check down forever.
    const result = await indicator.check('edge', { timeoutMs: 2_000 });
    expect(result.edge).toMatchObject({ status: 'up', breaker: 'closed', degraded: false });
    expect(edge.breakerState).toBe('closed');
  });
});
