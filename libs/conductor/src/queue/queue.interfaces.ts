/*
 * Terminology
 * - task: a named kind of work, handled by one `@Task(name)` method.
 * - execution: one request to run a task with a payload (a "job"); `invoke` creates one.
 * - attempt: one run of an execution's handler; a failed attempt is retried until `maxAttempts`.
 * - queue: a label that groups executions; a process can work on some queues only (`options.queue.queues`).
 * - lease: the token an attempt holds while it runs; a completion whose lease is no longer current is rejected.
 * - orchestrator: one process's registration; it heartbeats, and its leases are swept when it goes silent.
 * - dead: an execution that used up its attempts; kept with its errors until `replay` requeues it.
 */
import type { EntityManager } from 'typeorm';
import type { BackoffOptions } from '../options/conductor-options.interface';

/** Where an execution stands. */
export type ExecutionState = 'queued' | 'running' | 'completed' | 'dead' | 'cancelled';

/** Options of one `invoke`. */
export interface InvokeOptions {
  /** Enqueue at most once per task and key, also when the call races or is retried (kept for `idempotencyRetentionMs`). */
  idempotencyKey?: string;
  /** Run no earlier than this; a time in the past runs now. */
  runAt?: Date;
  /** Run no earlier than this many milliseconds from now (not with `runAt`). */
  delayMs?: number;
  /** Higher runs first among ready executions (default 0). */
  priority?: number;
  /** Attempts before the execution is dead (default: the task's, then the queue's). */
  maxAttempts?: number;
  /** The queue label (default `default`). */
  queue?: string;
}

/** What `invoke` returns. */
export interface InvokeResult {
  id: string;
  /** True when an execution with the same idempotency key already existed: `id` is that execution's. */
  deduplicated: boolean;
}

/** One item of `invokeBatch`. */
export interface InvokeRequest<P = unknown> {
  task: string;
  payload: P;
  opts?: InvokeOptions;
}

/** One failed attempt, as kept in an execution's history. */
export interface AttemptError {
  attempt: number;
  at: string;
  name: string;
  message: string;
}

/** An execution as `QueueService.get` reads it. */
export interface Execution<P = unknown, R = unknown> {
  id: string;
  task: string;
  queue: string;
  state: ExecutionState;
  payload: P;
  result?: R;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
  finishedAt?: Date;
  lastError?: AttemptError;
  errors: AttemptError[];
}

/** Which dead executions `replay` requeues; at least one field is required. */
export interface ReplayFilter {
  ids?: string[];
  task?: string;
  queue?: string;
}

/** Counts of one task in one queue. */
export interface TaskQueueCounts {
  task: string;
  queue: string;
  queued: number;
  running: number;
  dead: number;
}

/** What `QueueService.stats` returns. */
export interface QueueStats {
  tasks: TaskQueueCounts[];
  /** Executions ready to run now (due and queued). */
  ready: number;
  /** Age of the oldest ready execution, 0 when none is ready. */
  oldestReadyAgeMs: number;
  dead: number;
  /** Completions recorded in the last minute, across every process. */
  completedLastMinute: number;
}

/** What a handler receives besides its payload. */
export interface TaskContext {
  /** The execution's id. */
  id: string;
  task: string;
  queue: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the lease is lost, the execution is cancelled, the handler times out, or the app shuts down. */
  signal: AbortSignal;
  /** With `transactional: true`: the EntityManager of the transaction the completion commits in. */
  manager?: EntityManager;
}

/** Options of `@Task(name, options)`. */
export interface TaskOptions {
  /** Attempts before the execution is dead (default: `options.queue.maxAttempts`). */
  maxAttempts?: number;
  /** Retry backoff (default: `options.queue.backoff`). */
  backoff?: BackoffOptions;
  /** Handlers of this task running at once in this process (default: no limit beyond the global one). */
  concurrency?: number;
  /** Handler deadline: `ctx.signal` aborts and the attempt fails (default: `options.queue.timeoutMs`). */
  timeoutMs?: number;
  /** Run the handler in a transaction on the queue's database that also commits its completion. */
  transactional?: boolean;
}

/** A handler: `(payload, ctx) => Promise<result>`. */
export type TaskHandler<P = unknown, R = unknown> = (payload: P, ctx: TaskContext) => Promise<R> | R;
