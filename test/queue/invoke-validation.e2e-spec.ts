import { Injectable } from '@nestjs/common';
import { InvalidInvokeError, QueueService, Task } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { eventually, startQueueApp, useQueueApp } from '../support/queue-app';
import { tablesOf } from '../support/schema-tables';
import { createTestDatabase, dropTestDatabase, withAdmin } from '../support/test-database';

@Injectable()
class Handlers {
  @Task('known')
  async known(): Promise<void> {}
}

describe('queue: invoke rejects bad input with a clear error and writes nothing', () => {
  const q = useQueueApp('invalid', [Handlers], { maxPayloadBytes: 1_000, workers: true });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;

  it.each([
    ['an unknown task (strict)', 'nope', {}, undefined, /no @Task handler is registered for it \(known: known\)/],
    ['a BigInt', 'known', { n: 1n }, undefined, /BigInt at key "n"/],
    ['a cycle', 'known', cyclic, undefined, /circular reference/],
    ['a function', 'known', { callback: () => 1 }, undefined, /function at key "callback"/],
    ['undefined', 'known', undefined, undefined, /undefined/],
    ['an oversized payload', 'known', { blob: 'x'.repeat(2_000) }, undefined, /over the limit of 1000 bytes/],
    ['a NUL character', 'known', { s: 'a\u0000b' }, undefined, /NUL character/],
    ['a negative delay', 'known', {}, { delayMs: -5 }, /delayMs must be a finite number >= 0/],
    ['maxAttempts 0', 'known', {}, { maxAttempts: 0 }, /maxAttempts must be an integer >= 1/],
    ['runAt and delayMs together', 'known', {}, { runAt: new Date(), delayMs: 5 }, /not both/],
    ['an invalid date', 'known', {}, { runAt: new Date('nope') }, /runAt must be a valid Date/],
    ['an unknown option', 'known', {}, { retries: 3 }, /unknown option "retries"/],
    ['an empty queue name', 'known', {}, { queue: '' }, /queue must be a non-empty string/],
    ['a fractional priority', 'known', {}, { priority: 1.5 }, /priority must be a 32-bit integer/],
  ])('rejects %s', async (_what, task, payload, opts, message) => {
    const before = await q.queue.stats();
    const call = q.queue.invoke(task as string, payload, opts as never);
    await expect(call).rejects.toBeInstanceOf(InvalidInvokeError);
    await expect(q.queue.invoke(task as string, payload, opts as never)).rejects.toThrow(message);
    const after = await q.queue.stats();
    expect(after.tasks).toEqual(before.tasks);
  });

  it('rejects a whole batch when one item is bad, writing none of it', async () => {
    const before = await q.queue.stats();
    await expect(
      q.queue.invokeBatch([
        { task: 'known', payload: { ok: 1 } },
        { task: 'known', payload: { n: 2n } },
      ]),
    ).rejects.toThrow(/item|BigInt/);
    expect((await q.queue.stats()).tasks).toEqual(before.tasks);
  });

  it('names the bad item of a batch by its position, whatever was wrong with it', async () => {
    const items: unknown[] = Array.from({ length: 30 }, (_, n) => ({ task: 'known', payload: { n } }));
    const failure = async (): Promise<InvalidInvokeError> =>
      (await q.queue.invokeBatch(items as never).catch((error: unknown) => error)) as InvalidInvokeError;

    items[17] = { task: 'known', payload: { n: 17n } };
    let error = await failure();
    expect(error).toBeInstanceOf(InvalidInvokeError);
    expect(error.index).toBe(17);
    expect(error.message).toMatch(/task "known" \(item 17\): the payload cannot be stored: .*BigInt at key "n"/);

    items[17] = { task: 'known', payload: {}, opts: { priority: 0.5 } };
    error = await failure();
    expect(error.index).toBe(17);
    expect(error.reason).toMatch(/^priority must be a 32-bit integer/);

    items[17] = 'not an item';
    error = await failure();
    expect(error.index).toBe(17);
    expect(error.message).toMatch(/\(item 17\): an item is not an object/);
  });

  it('does not number the item of a single invoke', async () => {
    const error = (await q.queue.invoke('known', { n: 1n }).catch((e: unknown) => e)) as InvalidInvokeError;
    expect(error.index).toBeUndefined();
    expect(error.message).toMatch(/^Conductor: cannot invoke task "known": the payload cannot be stored/);
  });

  it('rejects a batch of several chunks when an item of its last chunk is bad, writing none of it', async () => {
    const before = await q.queue.stats();
    const items = Array.from({ length: 4_500 }, (_, n) => ({ task: 'known', payload: { n } as Record<string, unknown> }));
    items[4_400].payload = { n: 4_400n };
    await expect(q.queue.invokeBatch(items)).rejects.toThrow(/\(item 4400\): .*BigInt at key "n"/);
    expect((await q.queue.stats()).tasks).toEqual(before.tasks);
  });

  it('stores task and queue names with quotes, semicolons, backslashes and unicode as plain data', async () => {
    const strange = `x'); DROP TABLE conductor.executions; --\\ "ü☃"`;
    const relaxed = await startQueueApp(q.database.url, [], { workers: false, strict: false });
    try {
      const { id } = await relaxed.queue.invoke(strange, { s: strange }, { queue: strange });
      const execution = await relaxed.queue.get(id);
      expect(execution).toMatchObject({ task: strange, queue: strange, payload: { s: strange } });
      expect(await tablesOf(relaxed.db, 'conductor')).toEqual([
        'archived_executions',
        'executions',
        'idempotency_keys',
        'orchestrators',
        'schema_migrations',
      ]);
      expect(await relaxed.queue.cancel(id)).toBe(true);
    } finally {
      await relaxed.close();
    }
  });

  it('chunks a batch of 100,000 items into bounded statements', async () => {
    const relaxed = await startQueueApp(q.database.url, [], { workers: false, strict: false });
    try {
      const results = await relaxed.queue.invokeBatch(
        Array.from({ length: 100_000 }, (_, n) => ({ task: 'bulk', payload: { n } })),
      );
      expect(results).toHaveLength(100_000);
      const [row] = await relaxed.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM conductor.executions WHERE task = 'bulk'`,
      );
      expect(row.n).toBe(100_000);
      // Every id returned is the row holding that item's own payload.
      const [paired] = await relaxed.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM conductor.executions e
         JOIN unnest($1::uuid[], $2::int[]) AS r(id, n) ON e.id = r.id AND (e.payload->>'n')::int = r.n`,
        [results.map((result) => result.id), results.map((_, n) => n)],
      );
      expect(paired.n).toBe(100_000);
    } finally {
      await relaxed.close();
    }
  });
});

describe('queue: an invoke aborted while it waits for its group', () => {
  it('rejects with the reason and enqueues nothing', async () => {
    const database = await createTestDatabase('abort_waiting');
    const q = await startQueueApp(database.url, [Handlers], { workers: false });
    try {
      await withAdmin(async (locker) => {
        // Inserts wait behind this lock: the first invoke's group stays in flight, the second waits its turn.
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE conductor.executions IN SHARE ROW EXCLUSIVE MODE');
        const first = q.queue.invoke('known', { tag: 'first' });
        await eventually('the first insert waits on the lock', async () => {
          const { rows } = await locker.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
          );
          return rows[0].n > 0;
        });
        const controller = new AbortController();
        const aborted = q.queue.invoke('known', { tag: 'aborted' }, { signal: controller.signal });
        const reason = new Error('caller gave up');
        controller.abort(reason);
        await expect(aborted).rejects.toBe(reason);
        await locker.query('COMMIT');
        await first;
      }, database.url);
      await q.queue.invoke('known', { tag: 'after' });
      const tags = await q.db.query<{ tag: string }>(`SELECT payload->>'tag' AS tag FROM conductor.executions ORDER BY 1`);
      expect(tags.map((r) => r.tag)).toEqual(['after', 'first']);
    } finally {
      await q.close();
      await dropTestDatabase(database.name);
    }
  });
});

describe('queue: without options.queue', () => {
  it('says at once that no queue is configured', async () => {
    const database = await createTestDatabase('noqueue');
    const app = await startConductor({ databases: { main: { url: database.url } } });
    try {
      await expect(app.get(QueueService).invoke('anything', {})).rejects.toThrow(/no queue is configured \(set options\.queue/);
    } finally {
      await app.close();
      await dropTestDatabase(database.name);
    }
  });
});
