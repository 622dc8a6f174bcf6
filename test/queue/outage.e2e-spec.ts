import { Injectable } from '@nestjs/common';
import { Orchestrator, QueueService, Task } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { FaultProxy } from '../support/fault-proxy';
import { FAST_QUEUE, type QueueApp, eventually, startQueueApp } from '../support/queue-app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

@Injectable()
class Handlers {
  done = new Set<number>();
  @Task('work')
  async work(payload: { n: number }): Promise<void> {
    this.done.add(payload.n);
  }
}

describe('queue: workers pause while the breaker is open and resume on their own', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let producer: QueueApp;

  beforeAll(async () => {
    database = await createTestDatabase('outage');
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(database.url).port) });
    producer = await startQueueApp(database.url, [], { workers: false, strict: false });
  });

  afterAll(async () => {
    await producer?.close();
    await proxy?.close();
    await dropTestDatabase(database.name);
  });

  it('pauses during an outage, then drains what was invoked meanwhile; nothing lost', async () => {
    const app = await startConductor(
      {
        databases: {
          main: {
            url: proxy.url(database.url),
            pool: { acquireTimeoutMs: 500 },
            resilience: {
              retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 50 },
              breaker: { consecutiveFailures: 3, halfOpenAfterMs: 400 },
            },
          },
        },
        queue: { database: 'main', ...FAST_QUEUE },
      },
      { providers: [Handlers] },
    );
    try {
      const orchestrator = app.get(Orchestrator);
      const handlers = app.get(Handlers);
      await producer.queue.invoke('work', { n: 0 });
      await eventually('first job ran', () => handlers.done.has(0));

      await proxy.setMode('refuse');
      await eventually('workers paused', () => orchestrator.status().workers === 'paused', 10_000);
      const during = await producer.queue.invokeBatch(
        Array.from({ length: 20 }, (_, i) => ({ task: 'work', payload: { n: i + 1 } })),
      );

      await proxy.setMode('pass');
      await eventually('all jobs done', () => handlers.done.size === 21, 20_000);
      expect(orchestrator.status().workers).toBe('running');
      // Handlers ran; their completions are written in the next flush.
      await eventually('every completion recorded', async () => {
        const states = await Promise.all(during.map(async (j) => (await app.get(QueueService).get(j.id))?.state));
        return states.every((s) => s === 'completed');
      });
    } finally {
      await app.close();
    }
  });
});
