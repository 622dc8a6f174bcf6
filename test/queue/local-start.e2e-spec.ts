import { Injectable } from '@nestjs/common';
import { Task } from '@conductor/nestjs';
import { type ProxiedQueueApp, type QueueApp, eventually, startProxiedQueueApp, useQueueApp } from '../support/queue-app';
import { commitSlowly } from '../support/slow-commit';

/** Handlers that record what ran; `hold` blocks until the test releases it. */
@Injectable()
class Handlers {
  ran: string[] = [];
  private readonly holds: (() => void)[] = [];

  @Task('note')
  note(payload: { tag: string }): void {
    this.ran.push(payload.tag);
  }

  @Task('hold')
  async hold(payload: { tag: string }): Promise<void> {
    this.ran.push(payload.tag);
    await new Promise<void>((resolve) => this.holds.push(resolve));
  }

  release(): void {
    for (const release of this.holds.splice(0)) release();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How execution `id` came to run, while it runs: a row inserted already leased (local start) was locked
 * in the transaction that made it; a fetched one later.
 */
async function startedBy(app: Pick<QueueApp, 'db'>, id: string): Promise<'local start' | 'fetch'> {
  const [row] = await app.db.query<{ local: boolean }>(
    `SELECT locked_at = created_at AS local FROM conductor.executions WHERE id = $1 AND state = 'running'`,
    [id],
  );
  if (!row) throw new Error(`execution ${id} is not running`);
  return row.local ? 'local start' : 'fetch';
}

/**
 * Runs `hold` jobs through `app` until one was started locally, and lets it complete: from then on the
 * worker is idle and its last fetch found nothing ready (a notification from an earlier job's insert,
 * arriving after that job ran, would otherwise send the next invoke through the table). At most 20.
 */
async function warmUp(app: Pick<QueueApp, 'queue' | 'app' | 'db'>, options: { queue?: string } = {}): Promise<void> {
  const handlers = app.app.get(Handlers);
  for (let attempt = 0; attempt < 20; attempt++) {
    const tag = `warm-${attempt}`;
    const { id } = await app.queue.invoke('hold', { tag }, options);
    await eventually(`${tag} runs`, async () => (await app.queue.get(id))?.state === 'running' && handlers.ran.includes(tag));
    const how = await startedBy(app, id);
    handlers.release();
    await eventually(`${tag} completed`, async () => (await app.queue.get(id))?.state === 'completed');
    if (how === 'local start') return;
  }
  throw new Error('no warm-up job was started locally in 20 tries');
}

describe("queue: local start of an invoke by this process's idle worker", () => {
  let handlers: Handlers;
  afterAll(() => handlers?.release());
  const q = useQueueApp('local_start', [Handlers], { concurrency: 1 });

  beforeAll(async () => {
    handlers = q.app.get(Handlers);
    await warmUp(q);
  });

  const state = async (id: string): Promise<string | undefined> => (await q.queue.get(id))?.state;
  const running = (id: string, tag: string) =>
    eventually(`${tag} runs`, async () => handlers.ran.includes(tag) && (await state(id)) === 'running');

  it('inserts the invoke leased to this process and starts it, with no fetch', async () => {
    const { id } = await q.queue.invoke('hold', { tag: 'local-1' });
    await running(id, 'local-1');
    expect(await startedBy(q, id)).toBe('local start');
    handlers.release();
    await eventually('local-1 completed', async () => (await state(id)) === 'completed');
    const [row] = await q.db.query<{ attempts: number }>('SELECT attempts FROM conductor.archived_executions WHERE id = $1', [
      id,
    ]);
    expect(row.attempts).toBe(1);
  });

  it('leaves invokes with options to the table', async () => {
    await warmUp(q);
    const { id } = await q.queue.invoke('hold', { tag: 'prioritised' }, { priority: 5 });
    await running(id, 'prioritised');
    expect(await startedBy(q, id)).toBe('fetch');
    handlers.release();
  });

  it('leaves invokes to the table while the worker has no free slot, and runs them when one frees', async () => {
    await warmUp(q);
    const held = await q.queue.invoke('hold', { tag: 'holding' });
    await running(held.id, 'holding');
    expect(await startedBy(q, held.id)).toBe('local start');
    const { id } = await q.queue.invoke('note', { tag: 'waits' });
    await sleep(300);
    // Queued, or fetched into the worker's buffer (prefetch), where it waits for the slot: never local.
    const [row] = await q.db.query<{ local: boolean | null }>(
      'SELECT locked_at = created_at AS local FROM conductor.executions WHERE id = $1',
      [id],
    );
    expect(row.local).not.toBe(true);
    expect(handlers.ran).not.toContain('waits');
    handlers.release();
    await eventually('waits ran', () => handlers.ran.includes('waits'));
  });
});

describe('queue: no local start for a queue this worker does not serve', () => {
  const q = useQueueApp('local_start_queues', [Handlers], { queues: ['elsewhere'] });

  it('leaves the invoke queued for the workers of its queue', async () => {
    await warmUp(q, { queue: 'elsewhere' });
    const { id } = await q.queue.invoke('note', { tag: 'default-queue' });
    await sleep(300);
    expect((await q.queue.get(id))?.state).toBe('queued');
    expect(q.app.get(Handlers).ran).not.toContain('default-queue');
  });
});

describe('queue: a local start whose insert answer is lost', () => {
  const q = useQueueApp('local_start_cut', [], { workers: false, strict: false });
  let viaProxy: ProxiedQueueApp | undefined;
  afterAll(() => viaProxy?.close());

  it('runs it once: the worker hands back the lease it never got, then fetches it', async () => {
    // The worker's hand-back every staleAfterMs would also take the stranded row back, only later: set
    // beyond the test's wait, so that only the hand-back after the producer's retry can run it.
    viaProxy = await startProxiedQueueApp(q.database.url, [Handlers], { staleAfterMs: 60_000 });
    const { proxy } = viaProxy;
    const handlers = viaProxy.app.get(Handlers);
    await warmUp(viaProxy);
    // The server takes its time over the cut insert (a trigger sleeps once its row is in), so it commits
    // well after the client saw its connection end. A hand-back run before that commit finds nothing and
    // leaves the row leased to this process, run by no one: the worker must wait for the producer's retry.
    await commitSlowly(q.db, 'slow_insert', 'INSERT', `NEW.payload->>'tag' = 'cut'`, 0.3);
    // Only the local start's insert is cut: its statement's name travels in its Bind message.
    await proxy.setMode('cut', { times: 1, marker: 'insert_execution_started' });
    const { id, deduplicated } = await viaProxy.queue.invoke('note', { tag: 'cut' });
    expect(proxy.cuts).toBe(1);
    expect(deduplicated).toBe(false);
    await eventually('cut completed', async () => (await q.queue.get(id))?.state === 'completed');
    await sleep(300);
    expect(handlers.ran.filter((tag) => tag === 'cut')).toEqual(['cut']);
    // Handed back without counting the attempt, then fetched: one attempt in all.
    const [row] = await q.db.query<{ attempts: number }>('SELECT attempts FROM conductor.archived_executions WHERE id = $1', [
      id,
    ]);
    expect(row.attempts).toBe(1);
  });
});
