import type { TestingModule } from '@nestjs/testing';
import {
  CallTimeoutError,
  CircuitOpenError,
  Database,
  type DatabaseOptions,
  getDatabaseToken,
  isDatabaseCallError,
} from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { FaultProxy } from '../support/fault-proxy';
import { eventually } from '../support/wait-for';
import { type TestDatabase, adminUrl, createTestDatabase, dropTestDatabase, withAdmin } from '../support/test-database';

const RESILIENCE: DatabaseOptions['resilience'] = {
  retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 50 },
  breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
  timeoutMs: 5_000,
};

// `main` reaches its database through a fault-injecting proxy; `reference` connects directly.
// Executions are counted on the server: `nextval` is not rolled back, so it counts every run.
describe('classified retries', () => {
  let main: TestDatabase;
  let reference: TestDatabase;
  let proxy: FaultProxy;
  let app: TestingModule;
  let db: Database;
  let ref: Database;

  const executions = async (): Promise<number> =>
    withAdmin(async (c) => Number((await c.query('SELECT last_value, is_called FROM runs')).rows[0].last_value), main.url);

  beforeAll(async () => {
    main = await createTestDatabase('retry_main');
    reference = await createTestDatabase('retry_ref');
    const target = new URL(adminUrl());
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    app = await startConductor({
      databases: {
        main: { url: proxy.url(main.url), pool: { max: 2 }, resilience: RESILIENCE },
        reference: { url: reference.url, pool: { max: 2 }, resilience: RESILIENCE },
      },
    });
    db = app.get<Database>(getDatabaseToken('main'));
    ref = app.get<Database>(getDatabaseToken('reference'));
    await db.query(`
      CREATE SEQUENCE runs;
      CREATE TABLE acks (n bigint NOT NULL);
      CREATE TABLE uniq (id int PRIMARY KEY);
      CREATE FUNCTION count_run() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('runs'); RETURN NEW; END $$;
      CREATE TRIGGER counted BEFORE INSERT ON uniq FOR EACH ROW EXECUTE FUNCTION count_run();
      CREATE FUNCTION run_sql(statement text) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN PERFORM nextval('runs'); EXECUTE statement; END $$;
      INSERT INTO uniq VALUES (1);
    `);
  });

  beforeEach(async () => {
    await proxy.setMode('pass');
    await db.query('DROP SEQUENCE IF EXISTS runs; CREATE SEQUENCE runs; TRUNCATE acks');
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    if (main) await dropTestDatabase(main.name);
    if (reference) await dropTestDatabase(reference.name);
  });

  it('does not retry a syntax error: it ran once', async () => {
    const error = await db.query("SELECT run_sql('SELEC 1')").catch((e: unknown) => e);
    expect(isDatabaseCallError(error) && [error.kind, error.code]).toEqual(['permanent', '42601']);
    expect((error as Error).cause).toMatchObject({ code: '42601' });
    expect(await executions()).toBe(1);
  });

  it('does not retry a unique violation: it ran once', async () => {
    const error = await db.query('INSERT INTO uniq VALUES (1)').catch((e: unknown) => e);
    expect(isDatabaseCallError(error) && [error.kind, error.code]).toEqual(['permanent', '23505']);
    expect(await executions()).toBe(1);
  });

  it('retries a transient error raised by the server until it passes', async () => {
    // Fails with 40001 on its first two runs, then succeeds: three executions.
    const [row] = await db.query<{ n: string }>(
      "SELECT run_sql('DO $x$ BEGIN IF currval(''runs'') < 3 THEN RAISE EXCEPTION USING ERRCODE = ''serialization_failure''; END IF; END $x$'), currval('runs') AS n",
    );
    expect(Number(row.n)).toBe(3);
    expect(await executions()).toBe(3);
  });

  it('runs a statement whose acknowledgement was lost exactly once when it is not idempotent', async () => {
    await proxy.setMode('cut', { times: 1 });
    const error = await db.query("INSERT INTO acks VALUES (nextval('runs'))").catch((e: unknown) => e);
    expect(proxy.cuts).toBeGreaterThanOrEqual(1);
    expect(isDatabaseCallError(error) && error.kind).toBe('transient');
    // The server ran it although the caller saw an error; it must not have run twice.
    await eventually('the statement ran once', async () => (await executions()) >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await executions()).toBe(1);
    expect(await withAdmin(async (c) => (await c.query('SELECT count(*)::int AS n FROM acks')).rows[0].n, main.url)).toBe(1);
  });

  it('re-runs a statement whose acknowledgement was lost when the caller says it is idempotent', async () => {
    await proxy.setMode('cut', { times: 1 });
    await db.query("INSERT INTO acks VALUES (nextval('runs'))", [], { idempotent: true });
    await eventually('the statement ran twice', async () => (await executions()) >= 2);
    expect(await executions()).toBe(2);
  });

  it('ends a call into a black hole at its deadline, with a transient timeout error', async () => {
    await proxy.setMode('latency', { latencyMs: 30 });
    expect(await db.query('SELECT 1 AS n')).toEqual([{ n: 1 }]);
    await proxy.setMode('blackhole');
    const started = performance.now();
    const error = await db.query('SELECT 1', [], { timeoutMs: 400, idempotent: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(isDatabaseCallError(error) && error.kind).toBe('transient');
    expect(performance.now() - started).toBeLessThan(400 + 1_000);
  });

  it('opens the breaker of the failing key only', async () => {
    await proxy.setMode('refuse');
    const errors: unknown[] = [];
    for (let i = 0; i < 3 && db.breakerState !== 'open'; i++) errors.push(await db.query('SELECT 1').catch((e: unknown) => e));
    expect(db.breakerState).toBe('open');
    const fast = await db.query('SELECT 1').catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect((fast as Error).message).toMatch(/database "main": unavailable: circuit breaker open/);

    expect(ref.breakerState).toBe('closed');
    expect(await ref.query<{ n: number }>('SELECT 1 AS n')).toEqual([{ n: 1 }]);
    expect(ref.stats().breaker).toBe('closed');

    await proxy.setMode('pass');
    await eventually(
      'a query gets through again',
      async () =>
        await db.query('SELECT 1').then(
          () => true,
          () => false,
        ),
    );
    expect(db.breakerState).toBe('closed');
  });
});
