import type { Client, Pool } from 'pg';
import type { BenchHandler, BenchPayload } from '../queue-system.interface';
import { rawSql } from './raw-sql-statements';

const POLL_MS = 1_000;
/** Jobs claimed ahead of free slots and held locally, as graphile-worker's tuned `localQueue.size`. */
export const RAW_PREFETCH = 500;

interface Claimed {
  id: string;
  payload: BenchPayload;
}

/**
 * RawSqlWorker is the least a worker can do: one loop claims up to RAW_PREFETCH jobs in one statement
 * into a local buffer and refills it when it runs low, handlers take from the buffer, a LISTEN
 * connection wakes the loop when the table is empty, and finished ids are deleted in batches by a single
 * flusher (whatever finished while the previous DELETE ran goes in the next one).
 */
export class RawSqlWorker {
  private readonly buffer: Claimed[] = [];
  private running = 0;
  private stopped = false;
  private notified = false;
  private waitingForRoom = false;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly finished: string[] = [];
  private flushing: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly listener: Client,
    private readonly concurrency: number,
    private readonly handler: BenchHandler,
  ) {}

  async start(): Promise<void> {
    this.listener.on('notification', () => {
      this.notified = true;
      if (!this.waitingForRoom) this.wake?.();
    });
    await this.listener.query('LISTEN bench_jobs');
    this.loopDone = this.loop();
  }

  /** Stops claiming, lets running handlers finish and flushes; jobs still buffered stay claimed (no recovery here). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.buffer.length = 0;
    this.wake?.();
    await this.loopDone;
    if (this.running > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    while (this.flushing) await this.flushing;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.buffer.length >= this.concurrency) {
        await this.sleep(true);
        continue;
      }
      this.notified = false;
      const wanted = RAW_PREFETCH - this.buffer.length;
      const { rows } = await this.pool.query<Claimed>({ name: 'bench_fetch', text: rawSql.fetch, values: [wanted] });
      this.buffer.push(...rows);
      this.dispatch();
      // A short batch means the table is drained for now: idle until a notification (or the poll).
      if (rows.length < wanted && !this.notified) await this.sleep(false);
    }
  }

  private dispatch(): void {
    while (this.running < this.concurrency && this.buffer.length > 0) void this.run(this.buffer.shift() as Claimed);
  }

  private async run(job: Claimed): Promise<void> {
    this.running++;
    await Promise.resolve().then(() => this.handler(job.payload));
    this.running--;
    this.finished.push(job.id);
    this.flushing ??= this.flush();
    this.dispatch();
    if (this.waitingForRoom && this.buffer.length < this.concurrency) this.wake?.();
    if (this.running === 0) this.idle?.();
  }

  private async flush(): Promise<void> {
    while (this.finished.length > 0) {
      const ids = this.finished.splice(0, this.finished.length);
      await this.pool.query({ name: 'bench_complete', text: rawSql.complete, values: [ids] });
    }
    this.flushing = undefined;
  }

  private sleep(forRoom: boolean): Promise<void> {
    this.waitingForRoom = forRoom;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, forRoom ? 60_000 : POLL_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
      this.waitingForRoom = false;
    });
  }
}
