import type { Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { type Database, type QueueOptions, QueueService, getDatabaseToken } from '@conductor/nestjs';
import { startConductor } from './app';
import { FaultProxy } from './fault-proxy';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from './test-database';

// Queue tests import their polling helper from here, with the rest of their kit.
export { eventually } from './wait-for';

/** A running test app with a queue on database `main`, and handles to what tests use. */
export interface QueueApp {
  app: TestingModule;
  queue: QueueService;
  db: Database;
  close(): Promise<void>;
}

/** Fast settings for tests: short intervals so recovery and retries happen within seconds. */
export const FAST_QUEUE: Omit<QueueOptions, 'database'> = {
  pollIntervalMs: 200,
  heartbeatIntervalMs: 200,
  staleAfterMs: 1_500,
  completionFlushMs: 2,
  shutdownGraceMs: 2_000,
  backoff: { initialDelayMs: 20, maxDelayMs: 100 },
};

/** Starts an app whose queue lives in `url`, with the given handler providers and queue options. */
export async function startQueueApp(url: string, providers: Provider[], queue: Partial<QueueOptions> = {}): Promise<QueueApp> {
  const app = await startConductor(
    {
      databases: { main: { url, pool: { max: 10 }, resilience: { retry: { initialDelayMs: 10, maxDelayMs: 200 } } } },
      queue: { database: 'main', ...FAST_QUEUE, ...queue },
    },
    { providers },
  );
  return {
    app,
    queue: app.get(QueueService),
    db: app.get<Database>(getDatabaseToken('main')),
    close: () => app.close(),
  };
}

/** A queue app that reaches its database only through a FaultProxy, which tests switch to inject faults. */
export interface ProxiedQueueApp extends QueueApp {
  proxy: FaultProxy;
}

/** Starts a proxy in front of the server of `url`, then a queue app through it; `close()` closes both. */
export async function startProxiedQueueApp(
  url: string,
  providers: Provider[],
  queue: Partial<QueueOptions> = {},
): Promise<ProxiedQueueApp> {
  const proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(url).port) });
  try {
    const started = await startQueueApp(proxy.url(url), providers, queue);
    const close = async (): Promise<void> => {
      await started.close();
      await proxy.close();
    };
    return { ...started, proxy, close };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

/** The queue app of a describe block (see `useQueueApp`), and the database it runs on. */
export interface SuiteQueueApp extends Omit<QueueApp, 'close'> {
  readonly database: TestDatabase;
}

/**
 * Gives the calling describe block a queue app on a database of its own: both made in a `beforeAll`,
 * closed and dropped in an `afterAll`. Read its members inside hooks and tests, once they have run.
 * NOTE: Jest runs `afterAll` hooks in the order they were declared: cleanup that must come before the
 * app closes (releasing a handler that blocks) is declared before this call.
 */
export function useQueueApp(prefix: string, providers: Provider[], queue: Partial<QueueOptions> = {}): SuiteQueueApp {
  let database: TestDatabase | undefined;
  let started: QueueApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
    started = await startQueueApp(database.url, providers, queue);
  });
  afterAll(async () => {
    await started?.close();
    if (database) await dropTestDatabase(database.name);
  });
  const current = (): QueueApp => {
    if (!started) throw new Error(`the "${prefix}" queue app is not started yet: use it inside hooks and tests`);
    return started;
  };
  return {
    get database() {
      if (!database) throw new Error(`the "${prefix}" database is not created yet: use it inside hooks and tests`);
      return database;
    },
    get app() {
      return current().app;
    },
    get queue() {
      return current().queue;
    },
    get db() {
      return current().db;
    },
  };
}
