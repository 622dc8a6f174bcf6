import type { Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { type Database, type QueueOptions, QueueService, getDatabaseToken } from '@conductor/nestjs';
import { startConductor } from './app';

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
