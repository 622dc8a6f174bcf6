import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { type Database, getDatabaseToken } from '@conductor/nestjs';
import { Db } from '../../apps/sample/src/database-keys';
import { type EmbeddedServer, startEmbeddedServer } from '../support/embedded-server';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';
import { startSampleApp } from './sample-test-app';

const HALF_OPEN_AFTER_MS = 300;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('the sample app while its reference database is stopped', () => {
  let main: TestDatabase;
  let referenceServer: EmbeddedServer;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let reference: Database;

  beforeAll(async () => {
    [main, referenceServer] = await Promise.all([createTestDatabase('sample_main'), startEmbeddedServer({ quiet: true })]);
    app = await startSampleApp(
      { main: main.url, reference: referenceServer.url() },
      // One failure opens a breaker, and it lets a probe through soon after: the test can watch both.
      { resilience: { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 1, halfOpenAfterMs: HALF_OPEN_AFTER_MS } } },
    );
    http = request(app.getHttpServer());
    reference = app.get<Database>(getDatabaseToken(Db.Reference));
  });

  afterAll(async () => {
    await app?.close();
    await referenceServer?.destroy();
    if (main) await dropTestDatabase(main.name);
  });

  it('answers ready 503 naming the reference database, and live 200', async () => {
    await http.get('/health/ready').expect(200);
    await referenceServer.stop();

    const down = await http.get('/health/ready').expect(503);
    expect(down.body.status).toBe('error');
    expect(Object.keys(down.body.error)).toEqual(['reference']);
    expect(down.body.error.reference).toMatchObject({
      status: 'down',
      degraded: false,
      reason: expect.stringMatching(/^unreachable: /),
    });
    expect(down.body.details.main).toMatchObject({ status: 'up', breaker: 'closed' });
    await http.get('/health/live').expect(200);

    // A request that needs the catalogue fails and opens the reference breaker only.
    await http.get('/products').expect(500);
    expect(reference.breakerState).toBe('open');
    const open = await http.get('/health/ready').expect(503);
    expect(open.body.error.reference).toMatchObject({ status: 'down', breaker: 'open' });
    expect(open.body.details.main).toMatchObject({ status: 'up', breaker: 'closed' });
    await http.get('/health/live').expect(200);
  });

  it('reports reference up and degraded while its breaker is half-open, then ready again', async () => {
    await referenceServer.start();
    await pause(HALF_OPEN_AFTER_MS + 100);
    // The first call after halfOpenAfterMs is the breaker's probe; a slow one holds it half-open meanwhile.
    const probe = reference.query('SELECT pg_sleep(1.5)');
    expect(reference.breakerState).toBe('half-open');

    const during = await http.get('/health/ready').expect(200);
    expect(during.body.details.reference).toEqual(
      expect.objectContaining({ status: 'up', breaker: 'half-open', degraded: true, reason: 'circuit breaker half-open' }),
    );

    await probe;
    const after = await http.get('/health/ready').expect(200);
    expect(after.body.details.reference).toMatchObject({ status: 'up', breaker: 'closed', degraded: false });
    await http.get('/products').expect(200);
  });
});
