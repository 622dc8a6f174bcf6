import { Injectable } from '@nestjs/common';
import { PermanentTaskError, Task, type TaskContext } from '@conductor/nestjs';
import { type SuiteQueueApp, eventually, useQueueApp } from '../support/queue-app';

@Injectable()
class Handlers {
  order: string[] = [];
  limitedRunning = 0;
  limitedPeak = 0;
  /** `ordered` runs that started while a `limited` one was running. */
  orderedBesideLimited = 0;
  aborted: string[] = [];
  gate?: Promise<void>;

  @Task('ordered')
  async ordered(payload: { tag: string }): Promise<void> {
    if (this.limitedRunning > 0) this.orderedBesideLimited++;
    await this.gate;
    this.order.push(payload.tag);
  }

  @Task('limited', { concurrency: 2 })
  async limited(): Promise<void> {
    this.limitedRunning++;
    this.limitedPeak = Math.max(this.limitedPeak, this.limitedRunning);
    await new Promise((resolve) => setTimeout(resolve, 30));
    this.limitedRunning--;
  }

  @Task('until-aborted', { timeoutMs: 60_000, maxAttempts: 1 })
  async untilAborted(payload: { tag: string }, ctx: TaskContext): Promise<void> {
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    this.aborted.push(`${payload.tag}:${(ctx.signal.reason as Error).name}`);
  }

  @Task('never-settles', { timeoutMs: 150, maxAttempts: 2 })
  async neverSettles(payload: { tag: string }, ctx: TaskContext): Promise<void> {
    ctx.signal.addEventListener('abort', () => this.aborted.push(`${payload.tag}:${(ctx.signal.reason as Error).name}`), {
      once: true,
    });
    await new Promise(() => undefined);
  }

  @Task('returns')
  async returns(payload: { kind: string }): Promise<unknown> {
    if (payload.kind === 'nul') return { text: 'a\u0000b' };
    if (payload.kind === 'bigint') return { big: 1n };
    return { ok: payload.kind };
  }

  @Task('throws', { maxAttempts: 3 })
  async throws(payload: { kind: string }): Promise<void> {
    if (payload.kind === 'string') throw 'plain string';
    if (payload.kind === 'object') throw { code: 42 };
    throw new PermanentTaskError('customer does not exist');
  }
}

/** Waits until `n` executions of `ordered` are leased (running or buffered) by `q`'s worker. */
async function untilOrderedRunning(q: SuiteQueueApp, n: number, what: string): Promise<void> {
  await eventually(what, async () => (await q.queue.stats()).tasks.some((t) => t.task === 'ordered' && t.running === n));
}

/** Opens the gate of `handlers` and waits for `n` runs in all; returns their tags in the order they ran. */
async function openAndRun(open: () => void, handlers: { gate?: Promise<void>; order: string[] }, n: number): Promise<string[]> {
  handlers.gate = undefined;
  open();
  await eventually(`${n} runs`, () => handlers.order.length === n);
  return handlers.order;
}

/** Holds the one slot of `q`'s worker with a gated `ordered` execution; returns what opens the gate. */
async function occupyTheSlot(q: SuiteQueueApp, handlers: { gate?: Promise<void> }): Promise<() => void> {
  let open!: () => void;
  handlers.gate = new Promise((resolve) => (open = resolve));
  await q.queue.invoke('ordered', { tag: 'blocker' });
  await untilOrderedRunning(q, 1, 'blocker running');
  return open;
}

describe('queue: order, limits, cancel, timeouts and bad outcomes', () => {
  const q = useQueueApp('sched', [Handlers], { concurrency: 1, prefetch: 0, maxAttempts: 2 });
  let handlers: Handlers;

  beforeAll(() => {
    handlers = q.app.get(Handlers);
  });

  it('runs higher priorities first, then by due time; a delayed execution waits; runAt in the past runs now', async () => {
    const open = await occupyTheSlot(q, handlers);
    await q.queue.invokeBatch([
      { task: 'ordered', payload: { tag: 'low' }, opts: { priority: -1 } },
      { task: 'ordered', payload: { tag: 'normal-1' } },
      { task: 'ordered', payload: { tag: 'delayed' }, opts: { delayMs: 600, priority: 100 } },
      { task: 'ordered', payload: { tag: 'high' }, opts: { priority: 10 } },
      { task: 'ordered', payload: { tag: 'normal-2' } },
      { task: 'ordered', payload: { tag: 'past' }, opts: { runAt: new Date(Date.now() - 60_000) } },
    ]);
    const ran = await openAndRun(open, handlers, 7);
    // normal-1 and normal-2 share priority and due time (one statement's now()): no order is promised between them.
    const normal = (tag: string): string => (tag.startsWith('normal-') ? 'normal' : tag);
    expect(ran.map(normal)).toEqual(['blocker', 'high', 'past', 'normal', 'normal', 'low', 'delayed']);
  });

  it('cancels a queued execution (it never runs) and aborts a running one', async () => {
    const queued = await q.queue.invoke('ordered', { tag: 'cancelled' }, { delayMs: 60_000 });
    expect(await q.queue.cancel(queued.id)).toBe(true);
    expect((await q.queue.get(queued.id))?.state).toBe('cancelled');
    expect(await q.queue.cancel(queued.id)).toBe(false);

    const running = await q.queue.invoke('until-aborted', { tag: 'running' });
    await eventually('running', async () => (await q.queue.get(running.id))?.state === 'running');
    expect(await q.queue.cancel(running.id)).toBe(true);
    await eventually('aborted', () => handlers.aborted.includes('running:ExecutionCancelledError'));
    expect((await q.queue.get(running.id))?.state).toBe('cancelled');
  });

  it('aborts a handler that never settles at its timeout and fails the attempt', async () => {
    const { id } = await q.queue.invoke('never-settles', { tag: 'stuck' });
    await eventually('dead after two timeouts', async () => (await q.queue.get(id))?.state === 'dead', 10_000);
    const execution = await q.queue.get(id);
    expect(execution?.errors.map((e) => e.name)).toEqual(['TaskTimeoutError', 'TaskTimeoutError']);
    expect(handlers.aborted.filter((a) => a === 'stuck:TaskTimeoutError')).toHaveLength(2);
  });

  it('records a non-Error throw, and fails for good on PermanentTaskError', async () => {
    const [plain, object, permanent] = await q.queue.invokeBatch([
      { task: 'throws', payload: { kind: 'string' } },
      { task: 'throws', payload: { kind: 'object' } },
      { task: 'throws', payload: { kind: 'permanent' } },
    ]);
    await eventually('all dead', async () => {
      const states = await Promise.all([plain, object, permanent].map(async (r) => (await q.queue.get(r.id))?.state));
      return states.every((s) => s === 'dead');
    });
    expect((await q.queue.get(plain.id))?.lastError?.message).toBe('plain string');
    expect((await q.queue.get(object.id))?.lastError?.message).toBe('non-Error thrown: {"code":42}');
    const final = await q.queue.get(permanent.id);
    expect(final?.attempts).toBe(1);
    expect(final?.lastError).toMatchObject({ name: 'PermanentTaskError', message: 'customer does not exist' });
  });

  it('does not let a poison result block the others; the poison attempt is recorded as failed', async () => {
    const results = await q.queue.invokeBatch([
      { task: 'returns', payload: { kind: 'a' } },
      { task: 'returns', payload: { kind: 'nul' } },
      { task: 'returns', payload: { kind: 'bigint' } },
      { task: 'returns', payload: { kind: 'b' } },
    ]);
    await eventually('good ones completed, bad ones dead', async () => {
      const states = await Promise.all(results.map(async (r) => (await q.queue.get(r.id))?.state));
      return states.join() === 'completed,dead,dead,completed';
    });
    expect((await q.queue.get(results[0].id))?.result).toEqual({ ok: 'a' });
    expect((await q.queue.get(results[1].id))?.lastError?.name).toBe('OutcomeRejected');
    expect((await q.queue.get(results[2].id))?.lastError?.message).toMatch(/BigInt/);
  });
});

describe('queue: per-task concurrency', () => {
  const q = useQueueApp('limits', [Handlers], { concurrency: 8 });

  it('never runs more handlers of a task at once than its limit, while other tasks use the free slots', async () => {
    const handlers = q.app.get(Handlers);
    await q.queue.invokeBatch([
      ...Array.from({ length: 20 }, () => ({ task: 'limited', payload: {} })),
      ...Array.from({ length: 20 }, (_, n) => ({ task: 'ordered', payload: { tag: `o${n}` } })),
    ]);
    await eventually('all ran', async () => (await q.queue.stats()).tasks.every((t) => t.queued + t.running === 0));
    expect(handlers.limitedPeak).toBe(2);
    expect(handlers.order).toHaveLength(20);
    // The limited task's waiting executions did not hold the other slots back: the quick `ordered` runs
    // went on beside the 300 ms of `limited` ones (all 20 do here; held back, they would wait for the end).
    expect(handlers.orderedBesideLimited).toBeGreaterThanOrEqual(10);
  });
});

/** Only the `ordered` task: no per-task cap, so the worker fetches with the plain statement. */
@Injectable()
class OrderedOnly {
  order: string[] = [];
  gate?: Promise<void>;

  @Task('ordered')
  async ordered(payload: { tag: string }): Promise<void> {
    await this.gate;
    this.order.push(payload.tag);
  }
}

describe.each([
  ['the plain fetch', 'prefetched', OrderedOnly],
  ['the fetch with per-task caps', 'prefetched_capped', Handlers],
])("queue: priority order in the worker's buffer (%s)", (_, prefix, handlersClass) => {
  // A buffer of 20: the worker leases every execution below in one fetch while its one slot is busy.
  const q = useQueueApp(prefix, [handlersClass], { concurrency: 1, prefetch: 20 });
  let handlers: OrderedOnly | Handlers;

  beforeEach(() => {
    handlers = q.app.get<OrderedOnly | Handlers>(handlersClass);
    handlers.order.length = 0;
  });

  it('starts the executions leased together by priority, then due time, not in the order they were stored', async () => {
    const open = await occupyTheSlot(q, handlers);
    // Stored in this order, in one statement: the most urgent last.
    await q.queue.invokeBatch([
      { task: 'ordered', payload: { tag: 'low' }, opts: { priority: -1 } },
      { task: 'ordered', payload: { tag: 'late' }, opts: { runAt: new Date(Date.now() - 1_000) } },
      { task: 'ordered', payload: { tag: 'early' }, opts: { runAt: new Date(Date.now() - 60_000) } },
      { task: 'ordered', payload: { tag: 'high' }, opts: { priority: 10 } },
    ]);
    await untilOrderedRunning(q, 5, 'all leased together');
    expect(await openAndRun(open, handlers, 5)).toEqual(['blocker', 'high', 'early', 'late', 'low']);
  });

  it('starts a later fetch’s more urgent executions before the buffered ones', async () => {
    const open = await occupyTheSlot(q, handlers);
    await q.queue.invokeBatch([
      { task: 'ordered', payload: { tag: 'low' }, opts: { priority: -1 } },
      { task: 'ordered', payload: { tag: 'low' }, opts: { priority: -1 } },
    ]);
    await untilOrderedRunning(q, 3, 'the low ones buffered');
    await q.queue.invoke('ordered', { tag: 'high' }, { priority: 10 });
    await untilOrderedRunning(q, 4, 'the high one buffered too');
    expect(await openAndRun(open, handlers, 4)).toEqual(['blocker', 'high', 'low', 'low']);
  });
});
