import type { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import { sleep } from '../resilience/abortable';
import type { Database } from '../database/database';
import { classifyError } from '../resilience/classify-error';
import { completionStatement } from './completion-params';
import type { QueueEventMap } from './queue-events';
import { serializeError } from './serialize-error';
import type { SqlCatalog } from './sql/sql-catalog';

/** A finished attempt waiting to be written: a success with its result, or a failure with its error. */
export type Outcome =
  | {
      kind: 'complete';
      id: string;
      lease: string;
      task: string;
      queue: string;
      attempt: number;
      resultJson: string;
      durationMs: number;
    }
  | {
      kind: 'fail';
      id: string;
      lease: string;
      task: string;
      queue: string;
      attempt: number;
      error: ReturnType<typeof serializeError>;
      retry: boolean;
      delayMs: number;
      durationMs: number;
      cause: unknown;
    };

type Completion = Extract<Outcome, { kind: 'complete' }>;
type Failure = Extract<Outcome, { kind: 'fail' }>;

/** Completer settings. */
export interface CompleterSettings {
  batchSize: number;
  flushMs: number;
  /** How long completed executions are kept in archived_executions (0: not at all). */
  retentionMs: number;
}

const TRANSIENT_BACKOFF_MS = 500;
/** Batches in flight at once, at most. */
const PARALLEL_WRITES = 2;

/**
 * Completer writes outcomes in batches: at once by default, everything that finished while the
 * previous flush was in flight going into the next one (or `flushMs` after the first, when set), and
 * never more than `batchSize` per statement. Its buffer is bounded: `full` tells workers to stop fetching. A batch the database rejects for
 * a permanent reason is split until the poison item is alone; that item is recorded as failed with the
 * database's error and never retried forever. Transient failures keep the batch and try again later.
 */
export class Completer {
  private buffer: Outcome[] = [];
  /** The batches being written now: their executions are still leased until the writes land. */
  private readonly writing = new Set<Outcome[]>();
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private flushing?: Promise<void>;
  private lateCount = 0;
  /** After a transient failure, no batch goes out before this time (Date.now()). */
  private retryAt = 0;
  private lastLateLog = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Database,
    private readonly sql: SqlCatalog,
    private readonly settings: CompleterSettings,
    private readonly events: EventEmitter<QueueEventMap>,
    private readonly logger: Logger,
  ) {}

  /** Called after each written batch: a worker paused on a full buffer resumes at once, not at its next poll. */
  onWritten?: () => void;

  /** Leases of the attempts whose outcome is buffered or being written. */
  heldLeases(): string[] {
    return [...this.buffer, ...[...this.writing].flat()].map((o) => o.lease);
  }

  /** True when workers must stop fetching until the buffer drains. */
  get full(): boolean {
    return this.buffer.length >= this.settings.batchSize * 2;
  }

  /** Completions rejected so far because their lease was no longer current. */
  get lateRejected(): number {
    return this.lateCount;
  }

  /** Queues an outcome for the next flush. */
  push(outcome: Outcome): void {
    this.buffer.push(outcome);
    if (this.buffer.length >= this.settings.batchSize) this.schedule(0);
    else this.schedule(this.settings.flushMs);
  }

  /** Writes everything buffered now; resolves when the buffer is empty (or shutdown gave up). */
  async flush(): Promise<void> {
    while (this.buffer.length > 0 || this.flushing) {
      if (this.flushing) await this.flushing;
      else await this.flushOnce();
      if (this.stopping.signal.aborted) return;
    }
  }

  /** Final flush at shutdown, bounded by `deadlineMs`; what cannot be written runs again (see the warning). */
  async close(deadlineMs: number): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    const deadline = setTimeout(() => this.stopping.abort(new Error('completer shutdown deadline')), deadlineMs);
    try {
      await this.flush();
    } finally {
      clearTimeout(deadline);
      this.stopping.abort(new Error('closed'));
      if (this.buffer.length > 0) {
        this.logger.warn(
          `${this.buffer.length} outcome(s) could not be written before shutdown; their executions go back to the queue when this process deregisters (or, if that fails, when it is swept) and run again`,
        );
      }
    }
  }

  /** Flushes after `delayMs`, or on the next turn of the event loop for 0; a flush in flight picks up what arrives. */
  private schedule(delayMs: number): void {
    if (this.flushing || this.stopping.signal.aborted) return;
    if (delayMs === 0) {
      // NOTE: setImmediate rather than a 0 ms timer: it runs after the completions of this turn have
      // joined the batch, without the timer's extra millisecond.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        void this.flushOnce();
      });
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flushOnce();
    }, delayMs);
  }

  /**
   * Writes until the buffer is empty. A second batch goes out while the first is in flight only when a
   * backlog of half a batch waits: two statements keep both of the server's cores busy when workers
   * finish faster than one statement lands (measured), while a light load keeps one statement per round.
   */
  private flushOnce(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      const inFlight = new Set<Promise<void>>();
      try {
        while (!this.stopping.signal.aborted) {
          const backlog = inFlight.size === 0 ? this.buffer.length > 0 : this.buffer.length >= this.settings.batchSize / 2;
          const backingOff = Date.now() < this.retryAt;
          if (backlog && backingOff && inFlight.size === 0) {
            // The database just failed a write: the outcomes put back wait here, not in a second slot.
            await sleep(this.retryAt - Date.now(), this.stopping.signal).catch(() => undefined);
          } else if (backlog && !backingOff && inFlight.size < PARALLEL_WRITES) {
            const write: Promise<void> = this.writeOne(this.buffer.splice(0, this.settings.batchSize)).finally(() =>
              inFlight.delete(write),
            );
            inFlight.add(write);
          } else if (inFlight.size > 0) await Promise.race(inFlight);
          else break;
        }
        await Promise.all(inFlight);
      } finally {
        this.flushing = undefined;
        if (this.buffer.length > 0 && !this.stopping.signal.aborted) this.schedule(this.settings.flushMs);
      }
    })();
    return this.flushing;
  }

  /**
   * Writes one batch, its completions and then its failures, each in one statement. On a transient
   * failure puts back what has not landed (at the front, in order) and holds every batch back a little:
   * outcomes that landed, even in a part of a split batch, are not sent again, where they would be
   * reported late.
   */
  private async writeOne(batch: Outcome[]): Promise<void> {
    this.writing.add(batch);
    const landed = new Set<Outcome>();
    try {
      const completions = batch.filter((o): o is Completion => o.kind === 'complete');
      await this.write(completions, (some) => this.writeCompletions(some), landed);
      const failures = batch.filter((o): o is Failure => o.kind === 'fail');
      await this.write(failures, (some) => this.writeFailures(some), landed);
      this.writing.delete(batch);
      this.onWritten?.();
    } catch (error) {
      this.writing.delete(batch);
      // Transient (the database is away): keep the outcomes and try again shortly.
      const unwritten = batch.filter((o) => !landed.has(o));
      this.buffer.unshift(...unwritten);
      this.retryAt = Date.now() + TRANSIENT_BACKOFF_MS;
      this.logger.warn(
        `could not write ${unwritten.length} outcome(s), retrying: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Writes outcomes of one kind with `send`, adding to `landed` what the database applied; splits them on
   * a permanent error until the poison item is alone. Throws only transient errors.
   */
  private async write<T extends Outcome>(outcomes: T[], send: (some: T[]) => Promise<void>, landed: Set<Outcome>): Promise<void> {
    if (outcomes.length === 0) return;
    try {
      await send(outcomes);
      for (const outcome of outcomes) landed.add(outcome);
    } catch (error) {
      if (classifyError(error).kind === 'transient' || this.stopping.signal.aborted) throw error;
      if (outcomes.length > 1) {
        const middle = Math.ceil(outcomes.length / 2);
        await this.write(outcomes.slice(0, middle), send, landed);
        await this.write(outcomes.slice(middle), send, landed);
        return;
      }
      await this.recordPoison(outcomes[0], error);
      landed.add(outcomes[0]);
    }
  }

  private async writeCompletions(completions: Completion[]): Promise<void> {
    const { name, params } = completionStatement(completions, this.settings.retentionMs);
    const statement = this.sql.get(name);
    const rows = await this.db.query<{ lease: string }>(statement.text, params, {
      name: statement.name,
      idempotent: true,
      route: 'primary',
      // Shutdown's deadline ends a write still in flight; its executions are then handed back.
      signal: this.stopping.signal,
    });
    // The statement names only the late ones (usually none).
    const late = rows.length === 0 ? undefined : new Set(rows.map((r) => r.lease));
    // Without retention nothing tells a completion applied by an earlier try: those stay late.
    const named = late && this.settings.retentionMs > 0 ? completions.filter((c) => late.has(c.lease)) : [];
    const landed =
      named.length > 0
        ? await this.appliedEarlier('archived_completions', [named.map((c) => c.id), named.map((c) => c.attempt)])
        : undefined;
    for (const c of completions) {
      if (late?.has(c.lease) && !landed?.has(c.id)) this.late(c);
      else this.emit('completed', { task: c.task, queue: c.queue, durationMs: c.durationMs });
    }
  }

  /**
   * Of the outcomes a write named late, those that an earlier try of the same write applied: its answer
   * was lost, the database layer retried it, and the retry found their leases gone. `statement` finds
   * them (archived-completions.sql, recorded-failures.sql); returns their ids and their states now. Best
   * effort: when the check fails they count as late (writing the batch again would only make every one
   * of them late).
   */
  private async appliedEarlier(statement: string, params: unknown[]): Promise<Map<string, string> | undefined> {
    const { text, name } = this.sql.get(statement);
    try {
      const rows = await this.db.query<{ id: string; state: string }>(text, params, {
        name,
        idempotent: true,
        route: 'primary',
        signal: this.stopping.signal,
      });
      return new Map(rows.map((r) => [r.id, r.state]));
    } catch {
      return undefined;
    }
  }

  private async writeFailures(failures: Failure[]): Promise<void> {
    const statement = this.sql.get('fail_executions');
    const document = JSON.stringify(
      failures.map((f) => ({ lease: f.lease, delay_ms: f.delayMs, retry: f.retry, error: f.error })),
    );
    const rows = await this.db.query<{ lease: string; state: string }>(statement.text, [document], {
      name: statement.name,
      idempotent: true,
      route: 'primary',
      signal: this.stopping.signal,
    });
    const states = new Map(rows.map((r) => [r.lease, r.state]));
    const named = states.size < failures.length ? failures.filter((f) => !states.has(f.lease)) : [];
    const recorded =
      named.length > 0
        ? await this.appliedEarlier('recorded_failures', [JSON.stringify(named.map((f) => ({ id: f.id, error: f.error })))])
        : undefined;
    for (const f of failures) {
      const state = states.get(f.lease) ?? recorded?.get(f.id);
      if (state === undefined) this.late(f);
      else
        this.emit('failed', { task: f.task, queue: f.queue, durationMs: f.durationMs, dead: state === 'dead', error: f.cause });
    }
  }

  /** An outcome the database refuses for a permanent reason: record the attempt as failed with that error. */
  private async recordPoison(outcome: Outcome, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `the outcome of execution ${outcome.id} (task ${JSON.stringify(outcome.task)}) was rejected by the database: ${message}`,
    );
    if (outcome.kind === 'fail') {
      // Even the failure cannot be stored as it is: store a plain one instead, or give up on it.
      if (outcome.error.name === 'OutcomeRejected') return;
    }
    const failure: Failure = {
      kind: 'fail',
      id: outcome.id,
      lease: outcome.lease,
      task: outcome.task,
      queue: outcome.queue,
      attempt: outcome.attempt,
      error: {
        ...serializeError(error, outcome.attempt),
        name: 'OutcomeRejected',
        message: `the database rejected this attempt's outcome: ${message}`.slice(0, 2_000),
      },
      retry: true,
      delayMs: 0,
      durationMs: outcome.durationMs,
      cause: error,
    };
    // Its own fate (landed or not) is the original outcome's: the caller counts that.
    await this.write([failure], (some) => this.writeFailures(some), new Set());
  }

  private late(outcome: Outcome): void {
    this.lateCount++;
    this.emit('late', { task: outcome.task, queue: outcome.queue });
    const now = Date.now();
    if (now - this.lastLateLog >= 10_000) {
      this.lastLateLog = now;
      this.logger.warn(
        `rejected a late outcome of execution ${outcome.id} (task ${JSON.stringify(outcome.task)}): its lease is no longer current (${this.lateCount} so far)`,
      );
    }
  }

  private emit<E extends keyof QueueEventMap>(event: E, payload: QueueEventMap[E][0]): void {
    if (this.events.listenerCount(event) > 0) (this.events as EventEmitter).emit(event, payload);
  }
}
