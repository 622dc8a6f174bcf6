import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  RetryPolicy,
  TaskCancelledError,
  bulkhead,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
} from 'cockatiel';
import type { ResolvedResilience } from '../options/resolved-options.interface';
import { CallTimeoutError } from './call-timeout.error';
import { checkCallTimeout } from './check-call-timeout';
import { CircuitOpenError } from './circuit-open.error';
import { type Classification, classifyError } from './classify-error';
import { DatabaseCallError, isDatabaseCallError } from './database-call.error';
import { MisconfigurationError } from './misconfiguration.error';
import type { BreakerState, ResilienceListener } from './resilience-events';
import { mayHaveExecuted } from './sent-marker';
import { DeadlineClock } from './deadline-clock';

/** Per-call settings of `ResiliencePolicy.execute`. */
export interface CallOptions {
  /** The statement may safely run twice: retry it even when it may have reached the server. */
  idempotent?: boolean;
  /** Aborts the call, its waits and its retries. */
  signal?: AbortSignal;
  /** Deadline of this call, retries included; defaults to the database's `timeoutMs`. */
  timeoutMs?: number;
}

/** What one call's attempts share. */
interface CallProgress {
  misconfigurations: number;
  attemptStartedAt: number;
  readonly idempotent: boolean;
}

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * ResiliencePolicy runs calls to one database under a deadline (retries included; see deadline-clock.ts)
 * around cockatiel's retry, circuit breaker and bulkhead, deciding what to retry from the error's class.
 * One instance per database key, so one database failing never opens another's breaker.
 */
export class ResiliencePolicy {
  readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;
  private readonly retry: RetryPolicy;
  private readonly deadlines = new DeadlineClock();
  private readonly retryableErrors = new WeakSet<object>();
  /** Reasons that ended a call by its deadline or its caller's abort, as cockatiel then sees them. */
  private readonly abortEnds = new WeakSet<object>();
  private lastFailure?: string;
  private listener: ResilienceListener = {};

  constructor(
    /** The database key, named in every error. */
    readonly key: string,
    /** `host:port/database`, named in misconfiguration errors. */
    private readonly target: string,
    private readonly settings: ResolvedResilience,
    /** Concurrent calls allowed: the pool size. */
    concurrency: number,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((error) => this.countsAgainstBreaker(error)),
      { halfOpenAfter: settings.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.breaker.consecutiveFailures) },
    );
    this.breaker.onStateChange((state) => this.listener.onBreakerState?.(BREAKER_STATES[state], this.lastFailure));
    this.bulkhead = bulkhead(concurrency, settings.maxQueued);
    this.retry = retry(
      handleWhen(
        (error) =>
          (typeof error === 'object' && error !== null && this.retryableErrors.has(error)) || isBulkheadRejectedError(error),
      ),
      {
        maxAttempts: settings.retry.maxAttempts - 1,
        backoff: new ExponentialBackoff({
          generator: fullJitterGenerator,
          initialDelay: settings.retry.initialDelayMs,
          maxDelay: settings.retry.maxDelayMs,
        }),
      },
    ).dangerouslyUnref();
    this.retry.onRetry((event) => {
      const error = 'error' in event ? event.error : undefined;
      this.listener.onRetry?.({ attempt: event.attempt, delayMs: event.delay, error, classification: classifyError(error) });
    });
  }

  /** Sets who hears about retries, failures and breaker changes (one listener: the database's instrumentation). */
  listen(listener: ResilienceListener): void {
    this.listener = listener;
  }

  /** The breaker's state now. */
  get breakerState(): BreakerState {
    return BREAKER_STATES[this.breaker.state];
  }

  /** Calls waiting for a slot in the bulkhead. */
  get queued(): number {
    return this.bulkhead.queueSlots === undefined ? 0 : this.settings.maxQueued - this.bulkhead.queueSlots;
  }

  /**
   * Runs `fn` under the policy. `fn` gets an AbortSignal that fires on timeout or on the caller's abort,
   * and the attempt number (0 first). Errors come out classified: a `DatabaseCallError` naming the key,
   * or the caller's own error unchanged when it is not a database error.
   */
  execute<T>(fn: (signal: AbortSignal, attempt: number) => Promise<T>, options: CallOptions = {}): Promise<T> {
    if (options.timeoutMs !== undefined) {
      try {
        checkCallTimeout(options.timeoutMs, `a call on database "${this.key}"`);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    const call: CallProgress = { misconfigurations: 0, attemptStartedAt: Date.now(), idempotent: options.idempotent === true };
    return this.deadlines
      .run(
        timeoutMs,
        options.signal,
        () => new CallTimeoutError(this.key, timeoutMs),
        (deadline) => this.attempts(fn, deadline, call),
      )
      .then(
        (result) => {
          this.listener.onSuccess?.({ startedAt: call.attemptStartedAt });
          return result;
        },
        (error: unknown) => {
          const final = this.translate(error, options.signal);
          this.listener.onFailure?.({ error: final, classification: classifyError(final) });
          throw final;
        },
      );
  }

  /**
   * A call's attempts under cockatiel's retry, breaker and bulkhead, nested by hand: wrap() copies the
   * context at every layer of every call. NOTE: the first attempt runs outside the retry layer (two async
   * frames a call, about a third of the policy's own CPU); only its failure enters that layer, as the
   * layer's own first attempt, so the retries after it, their backoff and their events are the layer's.
   */
  private attempts<T>(
    fn: (signal: AbortSignal, attempt: number) => Promise<T>,
    deadline: AbortSignal,
    call: CallProgress,
  ): Promise<T> {
    return this.guarded(fn, deadline, 0, call).catch((firstError: unknown) => {
      let replayed = false;
      return this.retry.execute(({ attempt, signal }) => {
        if (replayed) return this.guarded(fn, signal, attempt, call);
        replayed = true;
        return Promise.reject(firstError);
      }, deadline);
    });
  }

  /** One attempt through the breaker and the bulkhead. */
  private guarded<T>(
    fn: (signal: AbortSignal, attempt: number) => Promise<T>,
    signal: AbortSignal,
    attempt: number,
    call: CallProgress,
  ): Promise<T> {
    return this.breaker.execute(() => this.bulkhead.execute(() => this.attempt(fn, signal, attempt, call), signal), signal);
  }

  /** One attempt of a call: runs `fn` and decides from its error whether the retry layer may run it again. */
  private attempt<T>(
    fn: (signal: AbortSignal, attempt: number) => Promise<T>,
    signal: AbortSignal,
    attempt: number,
    call: CallProgress,
  ): Promise<T> {
    if (signal.aborted) return Promise.reject(this.abortEnd(signal.reason));
    call.attemptStartedAt = Date.now();
    let work: Promise<T>;
    try {
      work = fn(signal, attempt);
    } catch (error) {
      work = Promise.reject(error);
    }
    return work.catch((error: unknown) => {
      // Ended by the call's deadline or the caller's abort: final, and says nothing about the database. The
      // work's own late error (a released connection's "Connection terminated") would count and be retried.
      if (signal.aborted) throw this.abortEnd(signal.reason);
      const classification = classifyError(error);
      if (classification.kind === 'misconfiguration') call.misconfigurations++;
      const last = attempt + 1 >= this.settings.retry.maxAttempts;
      throw this.decide(error, classification, call.idempotent, call.misconfigurations, last);
    });
  }

  /** Clears the deadline timers (on shutdown); calls made later arm them again. */
  close(): void {
    this.deadlines.close();
  }

  /** Marks an attempt's error retryable or escalates it; returns what to throw. */
  private decide(
    error: unknown,
    classification: Classification,
    idempotent: boolean,
    misconfigurations: number,
    lastAttempt: boolean,
  ): unknown {
    // A call of another key failed inside this one (a transaction's callback): that key's policy has
    // retried it already, and its failure says nothing about this database.
    if (isDatabaseCallError(error) && error.key !== this.key) return error;
    if (classification.kind === 'transient' || classification.kind === 'misconfiguration') {
      this.lastFailure = classification.reason;
    }
    if (classification.kind === 'transient') {
      // A statement that may have run is re-run only when the caller said that is safe.
      if (!mayHaveExecuted(error) || idempotent) this.markRetryable(error);
      return error;
    }
    if (classification.kind === 'misconfiguration') {
      if (misconfigurations < this.settings.retry.misconfigurationAttempts && !lastAttempt) {
        this.markRetryable(error);
        return error;
      }
      const escalated = new MisconfigurationError(this.key, this.target, misconfigurations, classification.reason, error);
      this.listener.onMisconfiguration?.(escalated);
      return escalated;
    }
    return error;
  }

  private markRetryable(error: unknown): void {
    if (typeof error === 'object' && error !== null) this.retryableErrors.add(error);
  }

  private abortEnd(reason: unknown): unknown {
    if (typeof reason === 'object' && reason !== null) this.abortEnds.add(reason);
    return reason;
  }

  private countsAgainstBreaker(error: unknown): boolean {
    if (isBulkheadRejectedError(error)) return false;
    if (isDatabaseCallError(error) && error.key !== this.key) return false;
    // The bulkhead cancels a call whose deadline passed while it waited for a slot: it never ran. (Not
    // cockatiel's isTaskCancelledError: in 3.2 it tests for the bulkhead's rejection instead.)
    const abortEnded =
      (typeof error === 'object' && error !== null && this.abortEnds.has(error)) || error instanceof TaskCancelledError;
    if (abortEnded || error instanceof CallTimeoutError) {
      // A deadline or an abort says nothing of the database, but a half-open trial that hangs must reopen the
      // breaker: cockatiel closes it on an error its handler ignores, and a hung database would get full traffic.
      if (this.breaker.state !== CircuitState.HalfOpen) return false;
      this.lastFailure =
        error instanceof CallTimeoutError
          ? 'half-open trial call timed out'
          : error instanceof TaskCancelledError
            ? 'half-open trial call ended while waiting for a connection'
            : 'half-open trial call aborted';
      return true;
    }
    const kind = isDatabaseCallError(error) ? error.kind : classifyError(error).kind;
    return kind === 'transient' || kind === 'misconfiguration';
  }

  /** Turns what cockatiel threw into an error that names the database and says what happened. */
  private translate(error: unknown, signal?: AbortSignal): unknown {
    if (isDatabaseCallError(error)) return error;
    if (isBrokenCircuitError(error)) return new CircuitOpenError(this.key, this.lastFailure, error);
    if (isBulkheadRejectedError(error)) {
      return new DatabaseCallError(
        this.key,
        'transient',
        `overloaded: more than ${this.settings.maxQueued} calls waiting for a connection`,
        error,
      );
    }
    if (signal?.aborted && error === signal.reason) return error;
    const classification = classifyError(error);
    if (classification.kind === 'unknown') return error;
    const message = error instanceof Error ? error.message : String(error);
    const what = classification.kind === 'transient' ? `transient error, retries exhausted` : `${classification.kind} error`;
    return new DatabaseCallError(this.key, classification.kind, `${what} (${classification.reason}): ${message}`, error);
  }
}
