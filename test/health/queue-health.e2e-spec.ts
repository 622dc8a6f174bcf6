import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Orchestrator, QueueHealthIndicator, Task } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { eventually, useQueueApp } from '../support/queue-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

@Injectable()
class Handlers {
  @Task('noop')
  async noop(): Promise<void> {}
}

describe('QueueHealthIndicator', () => {
  // This process works on `default` only, so executions sent to `parked` stay ready: a backlog on demand.
  const q = useQueueApp('qhealth', [Handlers], { queues: ['default'] });
  let indicator: QueueHealthIndicator;

  beforeAll(async () => {
    indicator = q.app.get(QueueHealthIndicator);
    await eventually('orchestrator heartbeating', () => q.app.get(Orchestrator).status().lastHeartbeatAt !== undefined);
  });

  it('is up when registered, heartbeating and running, with the counts', async () => {
    const result = await indicator.check();
    expect(result.queue).toEqual({
      status: 'up',
      registered: true,
      heartbeatAgeMs: expect.any(Number),
      workers: 'running',
      ready: 0,
      oldestReadyAgeMs: 0,
      dead: 0,
      degraded: false,
    });
  });

  it('turns a backlog at its threshold into degraded, under the key it is given', async () => {
    await q.queue.invokeBatch([1, 2, 3].map((n) => ({ task: 'noop', payload: { n }, opts: { queue: 'parked' } })));
    const below = await indicator.check({ key: 'jobs', degradedWhen: { ready: 4 } });
    expect(below.jobs).toMatchObject({ status: 'up', ready: 3, degraded: false });
    const at = await indicator.check({ key: 'jobs', degradedWhen: { ready: 3 } });
    expect(at.jobs).toMatchObject({ status: 'up', ready: 3, degraded: true, reason: 'backlog: 3 ready (>= 3)' });
  });

  it('answers down naming a bad timeoutMs instead of reporting a timeout', async () => {
    const result = await indicator.check({ timeoutMs: 0 });
    expect(result.queue).toMatchObject({
      status: 'down',
      reason: 'QueueHealthIndicator.check: timeoutMs must be an integer between 1 and 2147483647 ms, got 0',
    });
  });

  it('answers down at its timeout instead of waiting for the counts', async () => {
    // Every connection of the queue's database is held, so the stats query cannot start before the deadline.
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    const holders = Promise.all(
      Array.from({ length: 10 }, () =>
        q.db.transaction(async (tx) => {
          await tx.query('SELECT 1');
          held++;
          await until;
        }),
      ),
    );
    try {
      await eventually('pool held', () => held === 10);
      const result = await indicator.check({ timeoutMs: 150 });
      expect(result.queue).toMatchObject({ status: 'down', reason: 'queue stats unavailable: timeout of 150ms exceeded' });
    } finally {
      release();
      await holders;
    }
  });
});

describe('QueueHealthIndicator without a queue', () => {
  it('answers down, saying no queue is configured', async () => {
    const database = await createTestDatabase('qnone');
    let app: TestingModule | undefined;
    try {
      app = await startConductor({ databases: { main: { url: database.url } } });
      const result = await app.get(QueueHealthIndicator).check();
      expect(result.queue).toMatchObject({ status: 'down', reason: 'no queue in this application (options.queue is not set)' });
    } finally {
      await app?.close();
      await dropTestDatabase(database.name);
    }
  });
});
