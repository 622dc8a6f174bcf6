import { Injectable } from '@nestjs/common';
import { Task } from '@conductor/nestjs';
import { FaultProxy } from '../support/fault-proxy';
import type { Database } from '@conductor/nestjs';
import { type QueueApp, eventually, startQueueApp, useQueueApp } from '../support/queue-app';

/** Handlers that record what ran; `hold` blocks until the test releases it. */
@Injectable()
class Handlers {
  ran: string[] = [];
  private releaseHold?: () => void;

  @Task('note')
  note(payload: { tag: string }): void {
    this.ran.push(payload.tag);
  }

  @Task('hold')
  async hold(payload: { tag: string }): Promise<void> {
    this.ran.push(payload.tag);
    await new Promise<void>((resolve) => (this.releaseHold = resolve));
  }

  release(): void {
    this.releaseHold?.();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** No notification and no poll within a test: whatever runs at once was started by the invoking process. */
const NO_FETCH_SOON = { listen: false, pollIntervalMs: 60_000 };

/** Waits until a fetch on `db`'s database has come back (its session idle after it): the worker is idle. */
const fetchedOnce = (db: Database): Promise<void> =>
  eventually('the first fetch came back', async () => {
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'idle'
         AND query LIKE '%fetch' || '_executions(%'`, // split: this query's own text must not match
    );
    return row.n > 0;
  });

describe("queue: local start of an invoke by this process's idle worker", () => {
  let handlers: Handlers;
  afterAll(() => handlers?.release());
  const q = useQueueApp('local_start', [Handlers], { ...NO_FETCH_SOON, concurrency: 1 });

  beforeAll(async () => {
    handlers = q.app.get(Handlers);
    await fetchedOnce(q.db);
  });

  const state = async (id: string): Promise<string | undefined> => (await q.queue.get(id))?.state;

  it('starts an invoke at once, with no notification or poll to fetch it', async () => {
    const { id } = await q.queue.invoke('note', { tag: 'local-1' });
    await eventually('local-1 ran', () => handlers.ran.includes('local-1'), 3_000);
    await eventually('local-1 completed', async () => (await state(id)) === 'completed', 3_000);
    const [row] = await q.db.query<{ attempts: number }>('SELECT attempts FROM conductor.finished_executions WHERE id = $1', [
      id,
    ]);
    expect(row.attempts).toBe(1);
  });

  it('leaves invokes with options to the table', async () => {
    const { id } = await q.queue.invoke('note', { tag: 'prioritised' }, { priority: 5 });
    await sleep(300);
    expect(await state(id)).toBe('queued');
    expect(handlers.ran).not.toContain('prioritised');
  });

  it('leaves invokes to the table while the worker has no free slot, and runs them when one frees', async () => {
    await q.db.query(`DELETE FROM conductor.executions`); // the prioritised one: it would take the free slot first
    const held = await q.queue.invoke('hold', { tag: 'holding' });
    await eventually('holding started', () => handlers.ran.includes('holding'), 3_000);
    expect(await state(held.id)).toBe('running');
    const { id } = await q.queue.invoke('note', { tag: 'waits' });
    await sleep(300);
    expect(await state(id)).toBe('queued');
    // A freed slot makes the worker fetch: the waiting one runs without a poll.
    handlers.release();
    await eventually('waits ran', () => handlers.ran.includes('waits'), 3_000);
  });
});

describe('queue: no local start for a queue this worker does not serve', () => {
  const q = useQueueApp('local_start_queues', [Handlers], { ...NO_FETCH_SOON, queues: ['elsewhere'] });

  it('leaves the invoke queued for the workers of its queue', async () => {
    await fetchedOnce(q.db);
    const { id } = await q.queue.invoke('note', { tag: 'default-queue' });
    await sleep(300);
    expect((await q.queue.get(id))?.state).toBe('queued');
    expect(q.app.get(Handlers).ran).toEqual([]);
  });
});

describe('queue: a local start whose insert answer is lost', () => {
  const q = useQueueApp('local_start_cut', [], { workers: false, strict: false });
  let proxy: FaultProxy | undefined;
  let viaProxy: QueueApp | undefined;
  afterAll(async () => {
    await viaProxy?.close();
    await proxy?.close();
  });

  it('runs it once: the worker hands back the lease it never got, then fetches it', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(q.database.url).port) });
    viaProxy = await startQueueApp(proxy.url(q.database.url), [Handlers], NO_FETCH_SOON);
    const handlers = viaProxy.app.get(Handlers);
    await fetchedOnce(q.db);
    await proxy.setMode('cut', { times: 1, marker: 'insert_execution_started' });
    const { id, deduplicated } = await viaProxy.queue.invoke('note', { tag: 'cut' });
    expect(proxy.cuts).toBe(1);
    expect(deduplicated).toBe(false);
    await eventually('cut ran', () => handlers.ran.includes('cut'), 5_000);
    await eventually('cut completed', async () => (await q.queue.get(id))?.state === 'completed', 5_000);
    await sleep(300);
    expect(handlers.ran).toEqual(['cut']);
    // Handed back without counting the attempt, then fetched: one attempt in all.
    const [row] = await q.db.query<{ attempts: number }>('SELECT attempts FROM conductor.finished_executions WHERE id = $1', [
      id,
    ]);
    expect(row.attempts).toBe(1);
  });
});
