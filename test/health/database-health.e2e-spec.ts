import type { TestingModule } from '@nestjs/testing';
import { type Database, DatabaseHealthIndicator, DatabaseRegistry } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

/** A promise and the function that resolves it: lets a test hold connections exactly as long as it wants. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * Holds `count` connections of `db` in transactions until `until` settles; resolves once all are held,
 * with `done`, which settles when they have all ended.
 */
async function holdConnections(db: Database, count: number, until: Promise<void>): Promise<{ done: Promise<unknown> }> {
  let held = 0;
  let allHeld!: () => void;
  const holding = new Promise<void>((resolve) => (allHeld = resolve));
  const done = Promise.all(
    Array.from({ length: count }, () =>
      db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        if (++held === count) allHeld();
        await until;
      }),
    ),
  );
  await Promise.race([holding, done]);
  return { done };
}

describe('DatabaseHealthIndicator on a reachable database', () => {
  let database: TestDatabase;
  let app: TestingModule;
  let indicator: DatabaseHealthIndicator;
  let main: Database;

  beforeAll(async () => {
    database = await createTestDatabase('health');
    app = await startConductor({ databases: { main: { url: database.url, pool: { max: 4 } } } });
    indicator = app.get(DatabaseHealthIndicator);
    main = app.get(DatabaseRegistry).get('main');
    await main.query('SELECT 1');
  });

  afterAll(async () => {
    await app?.close();
    if (database) await dropTestDatabase(database.name);
  });

  it('is up with latency, breaker and pool details', async () => {
    const result = await indicator.check('main');
    expect(result.main).toEqual({
      status: 'up',
      latencyMs: expect.any(Number),
      breaker: 'closed',
      pool: { total: expect.any(Number), idle: expect.any(Number), waiting: 0, max: 4 },
      degraded: false,
    });
  });

  it('reports a saturated pool as up and degraded, while the ping still gets the last connection', async () => {
    const release = gate();
    const holders = await holdConnections(main, 3, release.opened);
    try {
      const result = await indicator.check('main', { poolSaturation: 0.75 });
      expect(result.main.status).toBe('up');
      expect(result.main.degraded).toBe(true);
      expect(result.main.reason).toBe('pool saturated (3/4 in use, 0 waiting)');
    } finally {
      release.open();
      await holders.done;
    }
  });

  it('reports a ping at or above the latency threshold as degraded', async () => {
    const result = await indicator.check('main', { degradedLatencyMs: 0 });
    expect(result.main).toMatchObject({
      status: 'up',
      degraded: true,
      reason: expect.stringMatching(/^slow ping \(\d+ ms >= 0 ms\)$/),
    });
  });

  it('answers down at its timeout when no connection can be had, without throwing', async () => {
    const release = gate();
    const holders = await holdConnections(main, 4, release.opened);
    try {
      // Every connection is held until after the check returns: only its own deadline can end it.
      const result = await indicator.check('main', { timeoutMs: 200 });
      expect(result.main).toMatchObject({ status: 'down', degraded: false, reason: 'timeout of 200ms exceeded' });
      expect(result.main.pool).toEqual({ total: 4, idle: 0, waiting: 0, max: 4 });
    } finally {
      release.open();
      await holders.done;
    }
    // The connection the timed-out ping would have got is handed back: the next check gets one.
    expect((await indicator.check('main')).main.status).toBe('up');
  });

  it('answers down naming a bad timeoutMs instead of reporting a timeout', async () => {
    for (const timeoutMs of [0, -5, Number.NaN, 2 ** 31]) {
      const result = await indicator.check('main', { timeoutMs });
      expect(result.main).toMatchObject({ status: 'down', degraded: false });
      expect(result.main.reason).toBe(
        `DatabaseHealthIndicator.check("main"): timeoutMs must be an integer between 1 and 2147483647 ms, got ${timeoutMs}`,
      );
    }
  });

  it('answers down for an unknown key instead of throwing', async () => {
    const result = await indicator.check('nope');
    expect(result.nope).toMatchObject({ status: 'down', reason: expect.stringContaining('no database "nope"') });
  });
});
