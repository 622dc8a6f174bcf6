import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  ConductorModule,
  Database,
  type DatabaseOptions,
  InjectDatabase,
  Orchestrator,
  QueueService,
  getDatabaseToken,
  isDatabaseCallError,
} from '@conductor/nestjs';
import { freePort } from '../../apps/sample/src/embedded-postgres';
import { quietLogger, startConductor } from '../support/app';
import { type EmbeddedServer, startEmbeddedServer } from '../support/embedded-server';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

enum Db {
  Main = 'main',
  Reference = 'reference',
}

// Small delays, so a database that is down costs the test milliseconds, not the production defaults.
const FAST: DatabaseOptions = {
  pool: { max: 2, acquireTimeoutMs: 1_000 },
  resilience: { retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 5_000 },
};

describe('a database that is down at startup', () => {
  let server: EmbeddedServer | undefined;
  let app: TestingModule | undefined;

  afterEach(async () => {
    await app?.close();
    await server?.destroy();
    app = server = undefined;
  });

  it('does not stop the app, and is used as soon as it comes up, without a restart', async () => {
    const port = await freePort();
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    app = await startConductor({ databases: { [Db.Main]: { url, ...FAST } } });
    const db = app.get<Database>(getDatabaseToken(Db.Main));
    expect(db.stats().state).toBe('disconnected');
    expect(db.stats().lastError).toMatch(/ECONNREFUSED/);

    const down = await db.query('SELECT 1').catch((error: unknown) => error);
    expect(isDatabaseCallError(down) && down.kind).toBe('transient');

    server = await startEmbeddedServer({ port, quiet: true });
    const [row] = await db.query<{ up: number }>('SELECT 1 AS up');
    expect(row.up).toBe(1);
    expect(db.stats().state).toBe('connected');
  });

  it('lets an invoke waiting for the queue go at once on an aborted signal and at shutdown', async () => {
    const port = await freePort();
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    app = await startConductor({ databases: { [Db.Main]: { url, ...FAST } }, queue: { database: Db.Main, workers: false } });
    const queue = app.get(QueueService);
    const reason = new Error('caller gave up');
    await expect(queue.invoke('any', {}, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    // Aborted while it waits, it goes at once too.
    const controller = new AbortController();
    const aborting = queue.invoke('any', {}, { signal: controller.signal });
    const abortedAt = Date.now();
    setTimeout(() => controller.abort(reason), 50);
    await expect(aborting).rejects.toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    // A wait that runs out says why the queue did not start.
    await expect(app.get(Orchestrator).whenReady(undefined, 100)).rejects.toThrow(
      /not ready after 100 ms \(its last start attempt failed: .*ECONNREFUSED/,
    );

    const waiting = queue.invoke('any', {}).catch((error: unknown) => error);
    const started = Date.now();
    await app.close();
    app = undefined;
    const error = await waiting;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/the queue is shutting down/);
    // Released by the shutdown, not by whenReady's own 30 s limit.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails startup with failFast, naming the key and the server', async () => {
    const port = await freePort();
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    const started = startConductor({ databases: { [Db.Reference]: { url, failFast: true, ...FAST } } });
    await expect(started).rejects.toThrow(
      new RegExp(`database "reference" \\(127\\.0\\.0\\.1:${port}/postgres\\) is unreachable at startup and failFast is set`),
    );
  });
});

@Injectable()
class Settings {
  readonly urls: Record<string, string> = {};
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

@Injectable()
class Consumer {
  constructor(
    @InjectDatabase(Db.Main) readonly main: Database,
    @InjectDatabase(Db.Reference) readonly reference: Database,
  ) {}
}

describe('ConductorModule.forRootAsync', () => {
  let main: TestDatabase;
  let reference: TestDatabase;

  beforeAll(async () => {
    main = await createTestDatabase('async_main');
    reference = await createTestDatabase('async_ref');
  });

  afterAll(async () => {
    if (main) await dropTestDatabase(main.name);
    if (reference) await dropTestDatabase(reference.name);
  });

  /** Compiles an app whose factory reads its URLs from an injected provider. */
  function compile(keys: string[], returned: (s: Settings) => Record<string, DatabaseOptions>): Promise<TestingModule> {
    return Test.createTestingModule({
      imports: [
        ConductorModule.forRootAsync({
          databases: keys,
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: (settings: Settings) => {
            settings.urls[Db.Main] = main.url;
            settings.urls[Db.Reference] = reference.url;
            return { databases: returned(settings) };
          },
        }),
      ],
      providers: [Consumer],
    })
      .setLogger(quietLogger)
      .compile();
  }

  it('creates every declared key from the factory, each on its own database', async () => {
    const app = await (
      await compile(Object.values(Db), (s) => ({
        [Db.Main]: { url: s.urls[Db.Main] },
        [Db.Reference]: { url: s.urls[Db.Reference], pool: { max: 2 } },
      }))
    ).init();
    try {
      const consumer = app.get(Consumer);
      const [m] = await consumer.main.query<{ db: string }>('SELECT current_database() AS db');
      const [r] = await consumer.reference.query<{ db: string }>('SELECT current_database() AS db');
      expect([m.db, r.db]).toEqual([main.name, reference.name]);
      expect(consumer.reference.stats().pool.max).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('rejects a factory that leaves out a declared key, naming it', async () => {
    await expect(compile(Object.values(Db), (s) => ({ [Db.Main]: { url: s.urls[Db.Main] } }))).rejects.toThrow(
      /databases\.reference: declared in forRootAsync but not returned by the factory/,
    );
  });

  it('rejects forRootAsync without its keys', () => {
    expect(() => ConductorModule.forRootAsync({ useFactory: () => ({ databases: {} }) })).toThrow(
      /forRootAsync\(\{ databases \}\)/,
    );
  });
});
