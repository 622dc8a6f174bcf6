import { Injectable } from '@nestjs/common';
import { SHUTDOWN_CLOSING_BUDGET_MS, Task, type TaskContext } from '@conductor/nestjs';
import { FaultProxy } from '../support/fault-proxy';
import { FAST_QUEUE, eventually, startQueueApp, useQueueApp } from '../support/queue-app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

@Injectable()
class Handlers {
  readonly seen: { payload: unknown; attempt: number }[] = [];
  failUntil = new Map<string, number>();

  @Task('echo')
  async echo(payload: { n: number }, ctx: TaskContext): Promise<{ doubled: number }> {
    this.seen.push({ payload, attempt: ctx.attempt });
    return { doubled: payload.n * 2 };
  }

  @Task('store')
  async store(): Promise<void> {}

  @Task('flaky', { maxAttempts: 3 })
  async flaky(payload: { key: string; failures: number }, ctx: TaskContext): Promise<string> {
    if (ctx.attempt <= payload.failures) throw new Error(`failure ${ctx.attempt} of ${payload.key}`);
    return `ok after ${ctx.attempt}`;
  }
}

describe('queue: invoke, run, complete, retry, dead, replay', () => {
  const q = useQueueApp('queue', [Handlers]);

  it('runs an invoked task and keeps its result', async () => {
    const { id, deduplicated } = await q.queue.invoke('echo', { n: 21 });
    expect(deduplicated).toBe(false);
    await eventually('echo completed', async () => (await q.queue.get(id))?.state === 'completed');
    const execution = await q.queue.get<{ n: number }, { doubled: number }>(id);
    expect(execution).toMatchObject({ task: 'echo', queue: 'default', attempts: 1, payload: { n: 21 }, result: { doubled: 42 } });
    expect(execution?.finishedAt).toBeInstanceOf(Date);
  });

  it('retries a failing task with backoff, then completes', async () => {
    const { id } = await q.queue.invoke('flaky', { key: 'a', failures: 2 });
    await eventually('flaky completed', async () => (await q.queue.get(id))?.state === 'completed');
    const execution = await q.queue.get(id);
    expect(execution?.attempts).toBe(3);
    expect(execution?.errors.map((e) => e.message)).toEqual(['failure 1 of a', 'failure 2 of a']);
  });

  it('marks an execution dead after maxAttempts, keeps its errors, and replays it', async () => {
    const { id } = await q.queue.invoke('flaky', { key: 'b', failures: 5 });
    await eventually('flaky dead', async () => (await q.queue.get(id))?.state === 'dead');
    const dead = await q.queue.get(id);
    expect(dead?.attempts).toBe(3);
    expect(dead?.lastError?.message).toBe('failure 3 of b');
    expect((await q.queue.stats()).dead).toBe(1);
    expect(await q.queue.replay({ ids: [id] })).toBe(1);
    // Replayed with a fresh set of attempts: it fails again three times, then is dead again.
    await eventually('replayed and dead again', async () => {
      const e = await q.queue.get(id);
      return e?.state === 'dead' && e.errors.length === 6;
    });
  });

  it('processes a batch, in one call, in order of results', async () => {
    const results = await q.queue.invokeBatch(Array.from({ length: 300 }, (_, n) => ({ task: 'echo', payload: { n } })));
    expect(results).toHaveLength(300);
    expect(new Set(results.map((r) => r.id)).size).toBe(300);
    await eventually('batch completed', async () => {
      const stats = await q.queue.stats();
      return stats.tasks.every((t) => t.task !== 'echo' || t.queued + t.running === 0);
    });
    const last = await q.queue.get<{ n: number }, { doubled: number }>(results[299].id);
    expect(last?.result).toEqual({ doubled: 598 });
  });

  it('stores every payload exactly when a batch shares its task and has no options (payloads sent as one text)', async () => {
    // Such a batch sends its payloads joined by U+001E and its ids joined by commas: neither may split a payload.
    const payloads: unknown[] = [
      { s: 'a\u001eb\u001e', t: '\u001e' },
      '\u001e',
      'a,b',
      'x|y',
      { controls: 'line\nbreak\ttab\u0001\u001f', unicode: 'snow ☃, face 😀, quote " and \\ backslash' },
      [1, 'two', null, { deep: ['\u001e,', ','] }],
      null,
      0,
      true,
      {},
    ];
    const batch = await q.queue.invokeBatch(payloads.map((payload) => ({ task: 'store', payload })));
    const single = await q.queue.invoke('store', payloads[0]);
    const stored = await Promise.all([...batch, single].map(async ({ id }) => (await q.queue.get(id))?.payload));
    expect(stored).toEqual([...payloads, payloads[0]]);
  });

  it.each([
    ['without keys', undefined],
    ['with a key (the keyed statement)', 'mixed'],
  ])('stores each item’s own task, queue and attempts in a mixed batch, %s', async (_, key) => {
    // The batch document names task, queue and maxAttempts only where an item differs from the first.
    const results = await q.queue.invokeBatch([
      { task: 'echo', payload: { n: 1 } },
      { task: 'flaky', payload: { key: `mixed-${String(key)}`, failures: 0 } },
      { task: 'echo', payload: { n: 2 }, opts: { queue: 'other', maxAttempts: 7 } },
      { task: 'echo', payload: { n: 3 }, opts: key === undefined ? {} : { idempotencyKey: key } },
    ]);
    const stored = await Promise.all(results.map(async ({ id }) => q.queue.get(id)));
    expect(stored.map((e) => [e?.task, e?.queue, e?.maxAttempts])).toEqual([
      ['echo', 'default', 5],
      ['flaky', 'default', 3],
      ['echo', 'other', 7],
      ['echo', 'default', 5],
    ]);
    expect(stored.map((e) => e?.payload)).toEqual([{ n: 1 }, { key: `mixed-${String(key)}`, failures: 0 }, { n: 2 }, { n: 3 }]);
  });
});

@Injectable()
class HeldHandlers {
  release: () => void = () => undefined;
  readonly released = new Promise<void>((resolve) => (this.release = resolve));

  @Task('held')
  async held(): Promise<void> {
    await this.released;
  }
}

describe('queue: shutdown into a dead network', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('quick_close');
  });

  afterAll(async () => {
    await dropTestDatabase(database.name);
  });

  it('closes although its LISTEN connection never finishes connecting', async () => {
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(database.url).port) });
    const q = await startQueueApp(proxy.url(database.url), [Handlers]);
    try {
      // Reset every connection, then swallow new ones: the listener reconnects (after at most 400 ms of
      // backoff) into a connect that never ends, and stays there.
      await proxy.setMode('refuse');
      await proxy.setMode('blackhole');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      const started = Date.now();
      // pg's connect() never settles when the client is ended meanwhile: the shutdown waited on it for ever.
      // A heartbeat into the dead network held it up to the call timeout (30 s); only the deregistration's
      // own 5 s bound is left to wait out.
      await q.close();
      expect(Date.now() - started).toBeLessThan(15_000);
      await proxy.close();
    }
  });

  it('spends one bounded budget on the final flush, the hand-back and the deregistration', async () => {
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(database.url).port) });
    const q = await startQueueApp(proxy.url(database.url), [HeldHandlers], { concurrency: 2 });
    try {
      await q.queue.invokeBatch(Array.from({ length: 6 }, () => ({ task: 'held', payload: {} })));
      // Two handlers running, more executions fetched into the buffer.
      await eventually(
        'some buffered',
        async () => ((await q.queue.stats()).tasks.find((t) => t.task === 'held')?.running ?? 0) >= 3,
      );
      await proxy.setMode('blackhole');
      // Their outcomes go to a flush that never comes back; then the buffered leases to hand back and a deregistration.
      q.app.get(HeldHandlers).release();
    } finally {
      const started = Date.now();
      await q.close().finally(() => proxy.close());
      const graceMs = FAST_QUEUE.shutdownGraceMs!;
      // Each step used to wait on its own (the flush up to the grace period, 5 s each for the other two), and
      // closing the pool waited for connections being opened into the dead network to reach their timeout.
      expect(Date.now() - started).toBeLessThan(graceMs + 1_000 + SHUTDOWN_CLOSING_BUDGET_MS + 2 * 2_000 + 1_000);
    }
  });
});
