import type { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import { jitteredBackoff } from '../resilience/abortable';
import type { Database } from '../database/database';
import type { ResolvedQueueOptions } from '../options/resolved-options.interface';
import type { Completer } from './completer';
import { completionStatement } from './completion-params';
import { encodeJson } from './payload-codec';
import { ExecutionCancelledError, LeaseLostError, PermanentTaskError, ShutdownAbortError } from './queue-errors';
import type { QueueEventMap } from './queue-events';
import type { TaskContext } from './queue.interfaces';
import { serializeError } from './serialize-error';
import type { SqlCatalog } from './sql/sql-catalog';
import type { RegisteredTask } from './task-registry';
import { AdaptivePrefetch } from './adaptive-prefetch';
import { AttemptDeadlines } from './attempt-deadlines';
import type { LeasedExecution } from './leased-execution';
import type { LocalStart } from './local-start';
import { RunningAttempt } from './running-attempt';
import { RunningAttempts } from './running-attempts';
import { addToBuffer, inStartOrder } from './start-order';
import { Wakeup } from './wakeup';

const FETCH_ERROR_MAX_BACKOFF_MS = 10_000;
/** Handlers started back to back, or milliseconds spent starting them, before the loop yields a turn to I/O. */
const STARTS_PER_TURN = 100;
const TURN_BUDGET_MS = 1;

/**
 * Worker is this process's single fetch loop: it leases as many executions as it has free slots
 * (plus a prefetch buffer) in one statement with SKIP LOCKED, runs their handlers with per-task and
 * global concurrency limits and a timeout, and hands outcomes to the completer. It sleeps until a
 * NOTIFY, a freed slot or the poll interval, and pauses while the breaker is open or the completer is full.
 */
export class Worker implements LocalStart {
  private readonly buffer: LeasedExecution[] = [];
  private readonly running = new RunningAttempts();
  /** Buffered plus running, per task: what per-task limits count. */
  private readonly heldByTask = new Map<string, number>();
  private readonly runningByTask = new Map<string, number>();
  private readonly wakeup = new Wakeup();
  private readonly stopFetching = new AbortController();
  /** Aborts a fetch still in flight at shutdown, once the grace period is over. */
  private readonly abortFetch = new AbortController();
  private loop?: Promise<void>;
  private fetchFailures = 0;
  /** Set when a fetch failed: it may have leased rows whose answer never arrived; hand them back first. */
  private unheldLeases = false;
  /**
   * When the next hand-back of unheld leases is due even without a failure: a lost statement may commit
   * after the hand-back that followed it (the server was still running it), leasing rows to this process
   * that no sweep will take back while it heartbeats. Every staleAfterMs, as for a process that died.
   */
  private releaseDueAt = 0;
  /** A hand-back is in flight: no local start meanwhile, or its fresh lease could be handed back too. */
  private releasing = false;
  private lastFetchErrorLog = 0;
  private readonly idle = new Set<() => void>();
  private paused = false;
  /** The fetch loop refills below this many buffered executions; worked out by the loop, read per finished job. */
  private refillAt = 0;
  private readonly prefetch: AdaptivePrefetch;
  private dispatchImmediate?: NodeJS.Immediate;
  /** Handlers started since the event loop last read I/O, and when that was. */
  private startsThisTurn = 0;
  private turnStartedAt = 0;
  private readonly deadlines: AttemptDeadlines;
  /** Local starts reserved whose insert has not settled yet (reserveLocalStart); counted as running. */
  private localStartsPending = 0;
  /** Fired when the last pending local start settles: stop() waits on it. */
  private readonly localStartsSettled = new Wakeup();
  /** The last fetch came back short and no notification arrived since: nothing ready waits in the table. */
  private queueLooksEmpty = false;
  /** Notifications received so far: a fetch that overlapped one cannot say the table is empty. */
  private notifications = 0;

  constructor(
    private readonly db: Database,
    private readonly sql: SqlCatalog,
    private readonly options: ResolvedQueueOptions,
    private readonly tasks: ReadonlyMap<string, RegisteredTask>,
    private readonly completer: Completer,
    readonly orchestratorId: string,
    private readonly events: EventEmitter<QueueEventMap>,
    private readonly logger: Logger,
  ) {
    this.prefetch = new AdaptivePrefetch(options.concurrency, options.prefetch);
    this.deadlines = new AttemptDeadlines(this.running, tasks);
    completer.onWritten = () => this.wakeup.fire();
  }

  /** 'running', 'paused' (breaker open or completer full) or 'stopped'. */
  get state(): 'running' | 'paused' | 'stopped' {
    if (!this.loop || this.stopFetching.signal.aborted) return 'stopped';
    return this.paused ? 'paused' : 'running';
  }

  /** Starts the fetch loop. */
  start(): void {
    this.releaseDueAt = Date.now() + this.options.staleAfterMs;
    this.loop ??= this.fetchLoop();
  }

  /** New work may be there (a NOTIFY arrived): fetch now if there is room. */
  notify(): void {
    this.notifications++;
    this.queueLooksEmpty = false;
    this.wakeup.fire();
  }

  /**
   * LocalStart: only when starting here cannot pass over other work. The worker runs and holds nothing
   * unstarted, its last fetch found no more ready executions and no notification came since, the task
   * is registered here with room under its limit, and the queue is one this worker serves.
   */
  reserveLocalStart(task: string, queue: string): boolean {
    if (!this.loop || this.stopFetching.signal.aborted || this.paused || !this.queueLooksEmpty || this.releasing) return false;
    if (this.buffer.length > 0 || this.running.size + this.localStartsPending >= this.options.concurrency) return false;
    const registered = this.tasks.get(task);
    if (!registered || (this.options.queues && !this.options.queues.includes(queue))) return false;
    const held = this.heldByTask.get(task) ?? 0;
    if (registered.concurrency !== undefined && held >= registered.concurrency) return false;
    this.heldByTask.set(task, held + 1);
    this.localStartsPending++;
    return true;
  }

  /** LocalStart: joins the buffer like a fetched row; stop() hands it back if the worker stopped meanwhile. */
  startLocal(execution: LeasedExecution): void {
    this.buffer.push(execution);
    this.settleLocalStart();
    if (this.stopFetching.signal.aborted) return;
    this.newTurn();
    this.dispatch();
  }

  /** LocalStart: frees the slot; a lease that may be held without the worker knowing is handed back first. */
  cancelLocalStart(task: string, leaseMayBeHeld: boolean): void {
    this.release(task);
    this.settleLocalStart();
    if (!leaseMayBeHeld) return;
    this.unheldLeases = true;
    this.wakeup.fire();
  }

  private settleLocalStart(): void {
    this.localStartsPending--;
    if (this.localStartsPending === 0) this.localStartsSettled.fire();
  }

  /** Aborts the running attempt of `id` in this process, if any. */
  cancel(id: string): boolean {
    const running = this.running.byId(id);
    if (!running) return false;
    running.abort(new ExecutionCancelledError(id));
    return true;
  }

  /**
   * This process was swept: abort running handlers, forget the buffer, and return them all. Some may have
   * been fetched after the sweep, with leases still current: the caller must hand those back.
   */
  loseLeases(): LeasedExecution[] {
    const running = this.running.values();
    for (const attempt of running) attempt.abort(new LeaseLostError(attempt.id));
    const unstarted = this.buffer.splice(0);
    for (const execution of unstarted) this.release(execution.task);
    return [...running.map(({ execution }) => execution), ...unstarted];
  }

  /** Stops fetching; returns the executions fetched but never started (their leases must be handed back). */
  async stop(): Promise<LeasedExecution[]> {
    this.stopFetching.abort(new Error('stopping'));
    this.wakeup.fire();
    // NOTE: a fetch in flight is let finish (within the grace period). Aborting it would drop the answer
    // of a statement that has usually committed: its rows would wait for the deregistration to hand them
    // back, or, if that failed too, for a sweep staleAfterMs later with an attempt counted. Finished, its
    // rows join the buffer and are handed back with the other unstarted ones.
    const graceEndsAt = Date.now() + this.options.shutdownGraceMs;
    const bound = setTimeout(() => this.abortFetch.abort(new Error('stopping')), this.options.shutdownGraceMs);
    await this.loop;
    clearTimeout(bound);
    // A local start's insert in flight: its row, leased to this process, joins the buffer handed back below.
    // Should it outlast the grace period, the deregistration hands it back (or, later still, a sweep).
    // (A fire kept from an earlier settle only costs one more turn of this loop.)
    while (this.localStartsPending > 0 && Date.now() < graceEndsAt) await this.localStartsSettled.wait(graceEndsAt - Date.now());
    if (this.dispatchImmediate) clearImmediate(this.dispatchImmediate);
    this.dispatchImmediate = undefined;
    const unstarted = this.buffer.splice(0);
    for (const execution of unstarted) this.release(execution.task);
    return unstarted;
  }

  /**
   * Waits up to `graceMs` (what is left of the shutdown grace period) for running handlers to finish,
   * then aborts the rest and waits briefly for them.
   * Returns the executions whose handlers were aborted by the shutdown (their leases must be handed back).
   */
  async drain(graceMs: number): Promise<LeasedExecution[]> {
    if (!(await this.waitIdle(graceMs))) {
      this.logger.warn(
        `${this.running.size} handler(s) still running at the end of the ${this.options.shutdownGraceMs} ms grace period; aborting them`,
      );
      for (const attempt of this.running.values()) attempt.abort(new ShutdownAbortError());
      await this.waitIdle(1_000);
    }
    return this.abortedAtShutdown.splice(0);
  }

  private readonly abortedAtShutdown: LeasedExecution[] = [];

  private waitIdle(ms: number): Promise<boolean> {
    if (this.running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve(this.running.size === 0);
      };
      const timer = setTimeout(done, ms);
      this.idle.add(done);
    });
  }

  private async fetchLoop(): Promise<void> {
    const signal = this.stopFetching.signal;
    while (!signal.aborted) {
      this.paused = this.db.breakerState === 'open' || this.completer.full;
      if (this.paused) {
        await this.wakeup.wait(this.options.pollIntervalMs, signal);
        continue;
      }
      // Refill once half the buffer is spent, in one batch for every free place (one statement feeds many
      // slots): the handlers live on the other half while the fetch runs, instead of idling through it.
      const prefetch = this.prefetch.size();
      this.refillAt = this.refillBelow(prefetch);
      const want = this.options.concurrency + prefetch - this.running.size - this.localStartsPending - this.buffer.length;
      if (this.buffer.length >= this.refillAt || want <= 0) {
        await this.wakeup.wait(this.options.pollIntervalMs, signal);
        continue;
      }
      const plan = this.fetchPlan();
      if (plan.uncapped.length === 0 && plan.capped.length === 0) {
        await this.wakeup.wait(this.options.pollIntervalMs, signal);
        continue;
      }
      let rows: LeasedExecution[];
      try {
        // Not while a local start's insert is in flight: its row is leased to this process, not yet held.
        if ((this.unheldLeases || Date.now() >= this.releaseDueAt) && this.localStartsPending === 0) await this.releaseUnheld();
        const notifications = this.notifications;
        rows = await this.fetch(want, plan, this.abortFetch.signal);
        // A short answer under per-task caps may only mean a cap was reached: not a sign of an empty table.
        this.queueLooksEmpty = rows.length < want && this.notifications === notifications && plan.capped.length === 0;
        this.fetchFailures = 0;
      } catch (error) {
        this.queueLooksEmpty = false;
        if (signal.aborted) break;
        this.unheldLeases = true;
        this.fetchFailed(error);
        await this.wakeup.wait(jitteredBackoff(this.fetchFailures, 100, FETCH_ERROR_MAX_BACKOFF_MS), signal);
        continue;
      }
      const fetched = rows.length;
      addToBuffer(this.buffer, rows);
      for (const row of rows) this.heldByTask.set(row.task, (this.heldByTask.get(row.task) ?? 0) + 1);
      // NOTE: the fetched array (pg's own result array) is emptied once its rows are in the buffer. Left
      // as it was, it kept every row of the batch alive through young-generation collections after the
      // rows had run, and the collector moved them to the old generation: about 660 bytes a job promoted
      // on Node 24 against 170-280 emptied, 400 against 105 on Node 20 (docs/performance.md).
      rows.length = 0;
      // Stopped while fetching: start nothing more; stop() hands these back.
      if (signal.aborted) break;
      this.newTurn();
      this.dispatch();
      // Fewer rows than asked: the queue is drained for now; sleep until a NOTIFY or the poll interval.
      if (fetched < want) await this.wakeup.wait(this.options.pollIntervalMs, signal);
    }
  }

  /**
   * After a failed fetch or local start, and every staleAfterMs: hands back what this orchestrator has
   * leased but does not hold (see release-unheld-executions.sql). Only the fetch loop and local starts
   * lease: the loop waits for this, and no local start is reserved or pending meanwhile.
   */
  private async releaseUnheld(): Promise<void> {
    const held = [
      ...this.running.values().map((attempt) => attempt.execution.lease),
      ...this.buffer.map((e) => e.lease),
      ...this.completer.heldLeases(),
    ];
    const statement = this.sql.get('release_unheld_executions');
    this.releasing = true;
    try {
      const released = await this.db.query(statement.text, [this.orchestratorId, held], {
        name: statement.name,
        idempotent: true,
        signal: this.abortFetch.signal,
        route: 'primary',
      });
      this.unheldLeases = false;
      this.releaseDueAt = Date.now() + this.options.staleAfterMs;
      if (released.length > 0)
        this.logger.warn(
          `handed back ${released.length} execution(s) leased to this process by a fetch or local start whose answer was lost`,
        );
    } finally {
      this.releasing = false;
    }
  }

  /** Which tasks have room: those without a limit go together, each limited one with its own cap. */
  private fetchPlan(): { uncapped: string[]; capped: { task: string; cap: number }[] } {
    const uncapped: string[] = [];
    const capped: { task: string; cap: number }[] = [];
    for (const task of this.tasks.values()) {
      if (task.concurrency === undefined) uncapped.push(task.name);
      else {
        const cap = task.concurrency - (this.heldByTask.get(task.name) ?? 0);
        if (cap > 0) capped.push({ task: task.name, cap });
      }
    }
    return { uncapped, capped };
  }

  /** Leases up to `limit` executions, in the order to start them (start-order.ts). */
  private async fetch(limit: number, plan: ReturnType<Worker['fetchPlan']>, signal: AbortSignal): Promise<LeasedExecution[]> {
    const capped = plan.capped.length > 0;
    const statement = this.sql.get(capped ? 'fetch_executions_capped' : 'fetch_executions');
    const params: unknown[] = [plan.uncapped, this.options.queues, limit, this.orchestratorId];
    if (capped)
      params.push(
        plan.capped.map((c) => c.task),
        plan.capped.map((c) => c.cap),
      );
    const rows = await this.db.query<LeasedExecution>(statement.text, params, {
      name: statement.name,
      signal,
      route: 'primary',
    });
    return inStartOrder(rows);
  }

  private fetchFailed(error: unknown): void {
    this.fetchFailures++;
    const now = Date.now();
    if (now - this.lastFetchErrorLog >= 30_000) {
      this.lastFetchErrorLog = now;
      this.logger.warn(
        `fetching executions failed (${this.fetchFailures} in a row), backing off: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Starts the next executions now, or on the next turn of the event loop once STARTS_PER_TURN have
   * started back to back (or TURN_BUDGET_MS went by). NOTE: starting the next execution straight from a
   * finished one chains fast handlers through microtasks until the buffer is empty, and no I/O runs
   * meanwhile: the answer of the fetch that refills the buffer, sent early on purpose, waited behind the
   * whole buffer (measured: every fetch found it empty). Yielding after every `concurrency` starts let it
   * in, but then each turn of the loop ran only 10 no-op handlers at concurrency 10. A turn of 1 ms keeps
   * the completer's flush timer on time (5 ms turns did no better where completions copy finished rows).
   */
  private dispatchSoon(): void {
    if (this.startsThisTurn < STARTS_PER_TURN && performance.now() - this.turnStartedAt < TURN_BUDGET_MS) {
      this.dispatch();
      return;
    }
    this.dispatchImmediate ??= setImmediate(() => {
      this.dispatchImmediate = undefined;
      this.newTurn();
      this.dispatch();
    });
  }

  private newTurn(): void {
    this.startsThisTurn = 0;
    this.turnStartedAt = performance.now();
  }

  /** Starts buffered executions while global and per-task slots allow, front to back (start-order.ts). */
  private dispatch(): void {
    for (let i = 0; i < this.buffer.length && this.running.size < this.options.concurrency;) {
      const execution = this.buffer[i];
      const task = this.tasks.get(execution.task)!;
      if (task.concurrency !== undefined && (this.runningByTask.get(task.name) ?? 0) >= task.concurrency) {
        i++;
        continue;
      }
      // shift() is O(1) in V8 where a splice at the front moves the whole buffer (up to 2 000 entries).
      if (i === 0) this.buffer.shift();
      else this.buffer.splice(i, 1);
      this.startsThisTurn++;
      this.run(execution, task);
    }
  }

  private run(execution: LeasedExecution, task: RegisteredTask): void {
    const attempt = new RunningAttempt(execution);
    this.running.add(attempt);
    this.runningByTask.set(task.name, (this.runningByTask.get(task.name) ?? 0) + 1);

    if (this.events.listenerCount('started') > 0) {
      this.events.emit('started', {
        task: task.name,
        queue: execution.queue,
        attempt: execution.attempts,
        waitMs: Math.max(0, execution.wait_ms),
      });
    }
    const started = performance.now();
    attempt.deadline = started + task.timeoutMs;
    this.deadlines.watch();
    const work = task.transactional
      ? this.runTransactional(execution, task, attempt)
      : callHandler(task, execution.payload, attempt);
    attempt.settle(
      work,
      (result) => this.finish(attempt, task, started, result),
      (error) => this.finish(attempt, task, started, undefined, attempt.aborted ? attempt.reason : error, true),
    );
  }

  /** Records the run's outcome and frees its slot. */
  private finish(
    attempt: RunningAttempt,
    task: RegisteredTask,
    started: number,
    result: unknown,
    error?: unknown,
    failed = false,
  ): void {
    const durationMs = performance.now() - started;
    if (failed) this.failed(attempt.execution, task, error, durationMs);
    else this.succeeded(attempt.execution, task, result, durationMs);
    this.prefetch.finishedOne();
    this.running.remove(attempt);
    this.runningByTask.set(task.name, (this.runningByTask.get(task.name) ?? 1) - 1);
    this.release(task.name);
    if (this.running.size === 0) {
      this.deadlines.idle();
      for (const done of [...this.idle]) done();
    }
    this.dispatchSoon();
    // Waking the loop costs it a timer: only when the buffer is low enough for it to fetch, and not while
    // it is paused (a written batch or the poll wakes it then).
    if (!this.paused && this.buffer.length < this.refillAt) this.wakeup.fire();
  }

  /** The fetch loop refills once the buffer holds fewer than this many executions. */
  private refillBelow(prefetch: number): number {
    return Math.max(this.options.concurrency, prefetch / 2);
  }

  /** Runs a `transactional` handler: its writes and the completion commit together, or neither does. */
  private async runTransactional(execution: LeasedExecution, task: RegisteredTask, ctx: TaskContext): Promise<unknown> {
    await this.db.transaction(
      async (tx) => {
        // NOTE: not `{ ...ctx }`: `signal` is a getter of RunningAttempt, which a spread would drop.
        const result = await task.handler(execution.payload, {
          id: ctx.id,
          task: ctx.task,
          queue: ctx.queue,
          attempt: ctx.attempt,
          signal: ctx.signal,
          manager: tx.manager,
        });
        const { name, params } = completionStatement(
          [{ lease: execution.lease, resultJson: this.encodeResult(result) }],
          this.options.retentionMs,
        );
        const statement = this.sql.get(name);
        const rows = await tx.query(statement.text, params, { name: statement.name });
        // The statement names the late completions: this one, when its lease is gone.
        if (rows.length > 0) throw new LeaseLostError(execution.id);
      },
      { signal: ctx.signal },
    );
    return TRANSACTIONAL_DONE;
  }

  private succeeded(execution: LeasedExecution, task: RegisteredTask, result: unknown, durationMs: number): void {
    if (result === TRANSACTIONAL_DONE) {
      if (this.events.listenerCount('completed') > 0)
        this.events.emit('completed', { task: task.name, queue: execution.queue, durationMs });
      return;
    }
    let resultJson: string;
    try {
      resultJson = this.encodeResult(result);
    } catch (error) {
      this.failed(execution, task, error, durationMs);
      return;
    }
    this.completer.push({
      kind: 'complete',
      id: execution.id,
      lease: execution.lease,
      task: task.name,
      queue: execution.queue,
      attempt: execution.attempts,
      resultJson,
      durationMs,
    });
  }

  private failed(execution: LeasedExecution, task: RegisteredTask, error: unknown, durationMs: number): void {
    // Cancelled or swept: the row is no longer ours to write. Shut down: the lease is handed back.
    if (error instanceof ExecutionCancelledError || error instanceof LeaseLostError) return;
    if (error instanceof ShutdownAbortError) {
      this.abortedAtShutdown.push(execution);
      return;
    }
    const retry = !(error instanceof PermanentTaskError);
    this.completer.push({
      kind: 'fail',
      id: execution.id,
      lease: execution.lease,
      task: task.name,
      queue: execution.queue,
      attempt: execution.attempts,
      error: serializeError(error, execution.attempts),
      retry,
      delayMs: jitteredBackoff(execution.attempts - 1, task.backoff.initialDelayMs, task.backoff.maxDelayMs),
      durationMs,
      cause: error,
    });
  }

  private encodeResult(result: unknown): string {
    const encoded = encodeJson(result === undefined ? null : result, this.options.maxPayloadBytes, { allowNul: true });
    if ('problem' in encoded) throw new TypeError(`the handler's result cannot be stored: ${encoded.problem}`);
    return encoded.json;
  }

  private release(task: string): void {
    this.heldByTask.set(task, (this.heldByTask.get(task) ?? 1) - 1);
  }
}

const TRANSACTIONAL_DONE = Symbol('transactional completion committed');

/** Calls a handler so that a synchronous throw becomes a rejection like any other failure. */
function callHandler(task: RegisteredTask, payload: unknown, ctx: TaskContext): Promise<unknown> {
  try {
    return Promise.resolve(task.handler(payload, ctx));
  } catch (error) {
    return Promise.reject(error);
  }
}
