import type { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { InvalidInvokeError } from './invalid-invoke.error';
import { Orchestrator } from './orchestrator';
import type { QueueEventMap } from './queue-events';
import type {
  AttemptError,
  Execution,
  ExecutionState,
  InvokeOptions,
  InvokeRequest,
  InvokeResult,
  QueueStats,
  ReplayFilter,
} from './queue.interfaces';

interface ExecutionRow {
  id: string;
  task: string;
  queue: string;
  state: ExecutionState;
  payload: unknown;
  result: unknown;
  priority: number;
  attempts: number;
  max_attempts: number;
  errors: AttemptError[];
  run_at: Date;
  created_at: Date;
  finished_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * QueueService is the queue's public face: enqueue (`invoke`, `invokeBatch`), read (`get`, `stats`),
 * and operate (`cancel`, `replay`). Called inside `Database.transaction` on the queue's database,
 * `invoke` joins that transaction: the execution exists if and only if the transaction commits.
 */
@Injectable()
export class QueueService {
  constructor(private readonly orchestrator: Orchestrator) {}

  /** Events for metrics and tracing: invoked, started, completed, failed, late. */
  get events(): EventEmitter<QueueEventMap> {
    return this.orchestrator.events;
  }

  /** Enqueues one execution of `task`. */
  async invoke<P>(task: string, payload: P, opts?: InvokeOptions & { signal?: AbortSignal }): Promise<InvokeResult> {
    const { signal, ...options } = opts ?? {};
    await this.orchestrator.whenReady(signal);
    const [result] = await this.orchestrator.producer.invoke([{ task, payload, opts: opts ? options : undefined }], signal);
    return result;
  }

  /** Enqueues many executions in one round trip per chunk; results come in the same order. */
  async invokeBatch(requests: readonly InvokeRequest[], options: { signal?: AbortSignal } = {}): Promise<InvokeResult[]> {
    await this.orchestrator.whenReady(options.signal);
    return this.orchestrator.producer.invoke(requests, options.signal);
  }

  /** Reads one execution (also a finished one, within the retention period); undefined when unknown. */
  async get<P = unknown, R = unknown>(id: string): Promise<Execution<P, R> | undefined> {
    if (typeof id !== 'string' || !UUID.test(id)) return undefined;
    const statement = this.orchestrator.sql.get('get_execution');
    const [row] = await this.orchestrator.database.query<ExecutionRow>(statement.text, [id], {
      name: statement.name,
      idempotent: true,
      route: 'primary',
    });
    if (!row) return undefined;
    const errors = row.errors ?? [];
    return {
      id: row.id,
      task: row.task,
      queue: row.queue,
      state: row.state,
      payload: row.payload as P,
      result: (row.result ?? undefined) as R | undefined,
      priority: row.priority,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      runAt: row.run_at,
      createdAt: row.created_at,
      finishedAt: row.finished_at ?? undefined,
      lastError: errors.length > 0 ? errors[errors.length - 1] : undefined,
      errors,
    };
  }

  /**
   * Cancels an execution that has not finished. A queued one never runs; a running one has its
   * `ctx.signal` aborted and its outcome rejected. Returns false when there was nothing to cancel.
   */
  async cancel(id: string): Promise<boolean> {
    if (typeof id !== 'string' || !UUID.test(id)) return false;
    const statement = this.orchestrator.sql.get('cancel_execution');
    const rows = await this.orchestrator.database.query<{ previous_state: string }>(
      statement.text,
      [id, this.orchestrator.channel, this.orchestrator.settings.retentionMs > 0],
      { name: statement.name, idempotent: true, route: 'primary' },
    );
    return rows.length > 0;
  }

  /** Requeues dead executions matching the filter with a fresh set of attempts; returns how many. */
  async replay(filter: ReplayFilter): Promise<number> {
    if (
      typeof filter !== 'object' ||
      filter === null ||
      (filter.ids === undefined && filter.task === undefined && filter.queue === undefined)
    ) {
      throw new InvalidInvokeError('(replay)', 'give at least one of ids, task or queue (replay({ task: "send-email" }))');
    }
    if (
      filter.ids !== undefined &&
      (!Array.isArray(filter.ids) || filter.ids.some((id) => typeof id !== 'string' || !UUID.test(id)))
    ) {
      throw new InvalidInvokeError('(replay)', 'ids must be an array of execution ids (UUIDs)');
    }
    const statement = this.orchestrator.sql.get('replay_dead');
    const [row] = await this.orchestrator.database.query<{ replayed: number }>(
      statement.text,
      [filter.ids ?? null, filter.task ?? null, filter.queue ?? null, this.orchestrator.channel],
      { name: statement.name, idempotent: true, route: 'primary' },
    );
    return row.replayed;
  }

  /**
   * Counts by task, queue and state; the ready backlog and its oldest age; completions in the last minute.
   * `signal` ends the query (and closes its connection) when the caller stops waiting, as a health check does.
   */
  async stats(options: { signal?: AbortSignal } = {}): Promise<QueueStats> {
    const statement = this.orchestrator.sql.get('queue_stats');
    const [row] = await this.orchestrator.database.query<{
      tasks: QueueStats['tasks'];
      ready: number;
      oldest_ready_age_ms: number;
      dead: number;
      completed_last_minute: number;
    }>(statement.text, [], { name: statement.name, idempotent: true, route: 'primary', signal: options.signal });
    return {
      tasks: row.tasks,
      ready: row.ready,
      oldestReadyAgeMs: Math.round(row.oldest_ready_age_ms),
      dead: row.dead,
      completedLastMinute: row.completed_last_minute,
    };
  }
}
