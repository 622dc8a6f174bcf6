import type { TestingModule } from '@nestjs/testing';
import { Database, getDatabaseToken, isDatabaseCallError } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

describe('Database.batchExecute', () => {
  let database: TestDatabase;
  let app: TestingModule;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase('batch');
    app = await startConductor({ databases: { main: { url: database.url, pool: { max: 8 } } } });
    db = app.get<Database>(getDatabaseToken('main'));
  });

  afterAll(async () => {
    await app?.close();
    if (database) await dropTestDatabase(database.name);
  });

  it('never runs more operations at once than its concurrency, measured inside the operations', async () => {
    let active = 0;
    let peak = 0;
    const ops = Array.from({ length: 24 }, (_, i) => async (d: Database) => {
      peak = Math.max(peak, ++active);
      try {
        const [row] = await d.query<{ i: number }>('SELECT $1::int AS i, pg_sleep(0.01)', [i]);
        return row.i;
      } finally {
        active--;
      }
    });
    const { results, errors, stats } = await db.batchExecute(ops, { batchSize: 10, concurrency: 3 });
    expect(peak).toBe(3);
    expect(errors).toEqual([]);
    expect(results).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(stats).toMatchObject({ processed: 24, failed: 0 });
  });

  it("isolates one operation's failure from the others", async () => {
    const ops = [
      { sql: 'SELECT 1 AS n' },
      { sql: 'SELEC 2' },
      { sql: 'SELECT 3 AS n' },
      async () => {
        throw new Error('not a database error');
      },
      { sql: 'SELECT 5 AS n' },
    ];
    const { results, errors, stats } = await db.batchExecute<unknown>(ops, { concurrency: 2 });
    expect(results).toEqual([[{ n: 1 }], undefined, [{ n: 3 }], undefined, [{ n: 5 }]]);
    expect(errors.map((e) => e.index)).toEqual([1, 3]);
    expect(isDatabaseCallError(errors[0].error) && errors[0].error.kind).toBe('permanent');
    expect((errors[1].error as Error).message).toBe('not a database error');
    expect(stats).toMatchObject({ processed: 5, failed: 2 });
  });

  it('stops at its timeout: what has not finished fails, its connections are not left busy', async () => {
    const ops = Array.from({ length: 6 }, (_, i) => ({ sql: i < 2 ? 'SELECT 1 AS n' : 'SELECT pg_sleep(30)' }));
    const started = performance.now();
    const { results, errors } = await db.batchExecute(ops, { concurrency: 6, timeoutMs: 300 });
    // Far below the 30 s the sleeping statements would take: the timeout, not the database, ended it.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(results.slice(0, 2)).toEqual([[{ n: 1 }], [{ n: 1 }]]);
    expect(errors.map((e) => e.index)).toEqual([2, 3, 4, 5]);
    for (const { error } of errors) expect((error as Error).message).toMatch(/timeout|deadline|exceeded/i);
    // The pool is usable at once: the timed-out statements did not keep their connections.
    expect(await db.query('SELECT 1 AS n')).toEqual([{ n: 1 }]);
  });

  it('honours an AbortSignal given by the caller', async () => {
    const controller = new AbortController();
    const pending = db.batchExecute([{ sql: 'SELECT pg_sleep(30)' }], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const { errors } = await pending;
    expect((errors[0].error as Error).message).toBe('caller gave up');
  });

  it('rejects a call it cannot make instead of throwing at the caller', async () => {
    let call: Promise<unknown> | undefined;
    expect(() => (call = db.query('SELECT 1', [], null as never))).not.toThrow();
    await expect(call).rejects.toThrow(TypeError);
  });

  it('refuses a call deadline no timer can keep, naming the call, before running anything', async () => {
    await db.query('CREATE TABLE IF NOT EXISTS deadline_runs (n int)');
    for (const bad of [0, -5, 1.5, Number.NaN, 2 ** 31]) {
      await expect(db.query('INSERT INTO deadline_runs VALUES (1)', [], { timeoutMs: bad })).rejects.toThrow(
        new RegExp(`a call on database "main": timeoutMs must be an integer between 1 and 2147483647 ms, got ${String(bad)}`),
      );
      await expect(db.batchExecute([{ sql: 'INSERT INTO deadline_runs VALUES (2)' }], { timeoutMs: bad })).rejects.toThrow(
        /batchExecute on "main": timeoutMs must be an integer/,
      );
    }
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM deadline_runs');
    expect(row.n).toBe(0);
    await expect(db.query<{ one: number }>('SELECT 1 AS one', [], { timeoutMs: 2 ** 31 - 1 })).resolves.toEqual([{ one: 1 }]);
  });
});
