import type { TestingModule } from '@nestjs/testing';
import { Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Database, DatabaseRegistry, InjectDatabase, getDatabaseToken } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

enum Db {
  Main = 'main',
  Reference = 'reference',
}

@Injectable()
class Consumer {
  constructor(
    @InjectDatabase(Db.Main) readonly main: Database,
    @InjectDatabase(Db.Reference) readonly reference: Database,
  ) {}
}

describe('several databases, each with its own DSN and pool', () => {
  let main: TestDatabase;
  let reference: TestDatabase;
  let app: TestingModule;

  beforeAll(async () => {
    main = await createTestDatabase('main');
    reference = await createTestDatabase('ref');
    app = await startConductor(
      {
        databases: {
          [Db.Main]: { url: main.url, pool: { max: 6 }, applicationName: 'conductor-test-main' },
          [Db.Reference]: { url: reference.url, pool: { max: 2 }, statementTimeoutMs: 1500 },
        },
      },
      { providers: [Consumer] },
    );
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(main.name);
    await dropTestDatabase(reference.name);
  });

  it('routes each key to its own database', async () => {
    const consumer = app.get(Consumer);
    const [m] = await consumer.main.query<{ db: string }>('SELECT current_database() AS db');
    const [r] = await consumer.reference.query<{ db: string }>('SELECT current_database() AS db');
    expect(m.db).toBe(main.name);
    expect(r.db).toBe(reference.name);
  });

  it('applies each key its own session settings', async () => {
    const consumer = app.get(Consumer);
    const [m] = await consumer.main.query<{ name: string; timeout: string }>(
      "SELECT current_setting('application_name') AS name, current_setting('statement_timeout') AS timeout",
    );
    const [r] = await consumer.reference.query<{ name: string; timeout: string }>(
      "SELECT current_setting('application_name') AS name, current_setting('statement_timeout') AS timeout",
    );
    expect(m).toEqual({ name: 'conductor-test-main', timeout: '0' });
    expect(r).toEqual({ name: 'conductor:reference', timeout: '1500ms' });
  });

  it('never opens more backends than each key allows under concurrent load', async () => {
    const consumer = app.get(Consumer);
    const load = (db: Database): Promise<{ pid: number }[][]> =>
      Promise.all(Array.from({ length: 30 }, () => db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.02)')));
    const [mainRows, refRows] = await Promise.all([load(consumer.main), load(consumer.reference)]);
    const distinct = (rows: { pid: number }[][]): number => new Set(rows.map(([row]) => row.pid)).size;
    expect(distinct(mainRows)).toBeLessThanOrEqual(6);
    expect(distinct(mainRows)).toBeGreaterThan(2);
    expect(distinct(refRows)).toBeLessThanOrEqual(2);
    expect(consumer.main.stats().pool.max).toBe(6);
    expect(consumer.reference.stats().pool.max).toBe(2);
  });

  it('exposes the named TypeORM data source of each key', async () => {
    const mainSource = app.get<DataSource>(getDataSourceToken(Db.Main));
    const refSource = app.get<DataSource>(getDataSourceToken(Db.Reference));
    expect(app.get<Database>(getDatabaseToken(Db.Main)).dataSource).toBe(mainSource);
    const [row] = await refSource.query('SELECT current_database() AS db');
    expect(row.db).toBe(reference.name);
    expect(
      app
        .get(DatabaseRegistry)
        .all()
        .map((d) => d.key),
    ).toEqual([Db.Main, Db.Reference]);
  });

  it('measures acquire and execute time apart', async () => {
    const db = app.get(Consumer).main;
    const before = db.stats();
    await db.query('SELECT pg_sleep(0.05)');
    const after = db.stats();
    expect(after.queries).toBe(before.queries + 1);
    expect(after.execute.lastMs).toBeGreaterThanOrEqual(45);
    expect(after.acquire.lastMs).toBeLessThan(after.execute.lastMs);
  });

  it('reads server version and uptime on demand', async () => {
    const info = await app.get(Consumer).reference.serverInfo();
    expect(info.version).toMatch(/^\d+/);
    expect(info.uptimeSeconds).toBeGreaterThan(0);
    expect(info.database).toBe(reference.name);
  });
});
