import { Injectable } from '@nestjs/common';
import { Task } from '@conductor/nestjs';
import { eventually, useQueueApp } from '../support/queue-app';

const JOBS = 200;
const BUSY_MS = 5;

@Injectable()
class BusyHandlers {
  finished = 0;

  /** Holds the CPU for 5 ms and settles at once: the next start may chain straight on from it. */
  @Task('busy')
  async busy(): Promise<void> {
    const until = performance.now() + BUSY_MS;
    while (performance.now() < until);
    this.finished++;
  }
}

describe('queue: handlers that finish at once still let the event loop turn', () => {
  // A buffer that holds the whole batch, so one fetch hands every execution to the worker at once.
  const q = useQueueApp('turns', [BusyHandlers], { concurrency: 10, prefetch: 500 });
  let handlers: BusyHandlers;

  beforeAll(() => {
    handlers = q.app.get(BusyHandlers);
  });

  it('yields to timers and I/O every few milliseconds while it starts buffered executions back to back', async () => {
    let last = performance.now();
    let longestGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 1);
    try {
      await q.queue.invokeBatch(Array.from({ length: JOBS }, (_, i) => ({ task: 'busy', payload: { i } })));
      await eventually('every handler ran', () => handlers.finished === JOBS, 30_000);
    } finally {
      clearInterval(tick);
    }
    // Chained without a turn, or yielding by the count of starts alone (100 of 5 ms), the buffered second of
    // handlers holds the loop for all of it (measured: one gap of 1.0 s). The worker yields once 1 ms has gone
    // into starts: a turn then holds the first starts of the concurrency (10 × 5 ms), a completion flush and
    // this machine's stalls.
    expect(longestGap).toBeLessThan(200);
  });
});
