import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { jitteredBackoff, sleep } from '../resilience/abortable';
import { classifyError } from '../resilience/classify-error';
import { isDatabaseCallError } from '../resilience/database-call.error';
import type { Database } from '../database/database';
import { DatabaseRegistry } from '../database/database-registry';
import { RESOLVED_OPTIONS } from '../database/database-tokens';
import type { ResolvedConductorOptions, ResolvedQueueOptions } from '../options/resolved-options.interface';
import { prepareArchivePartitions } from './archive-partitions';
import { Completer } from './completer';
import { CLEANUP_EVERY_MS, type HeartbeatOutcome, Maintenance } from './maintenance';
import type { Migration } from './migrations/migration-files';
import { Migrator } from './migrator';
import { NotificationListener } from './notification-listener';
import { Producer } from './producer';
import { queueChannel } from './queue-channel';
import type { QueueEventMap } from './queue-events';
import { QUEUE_MIGRATIONS } from './queue-tokens';
import { SqlCatalog } from './sql/sql-catalog';
import { type RegisteredTask, TaskRegistry } from './task-registry';
import { uuidv7 } from './uuid-v7';
import type { LeasedExecution } from './leased-execution';
import { Worker } from './worker';

/** The handlers of a process without queue options. */
const NO_TASKS: ReadonlyMap<string, RegisteredTask> = new Map();

/** Where the orchestrator stands, for health checks. */
export interface OrchestratorStatus {
  /** Registered in the orchestrators table (workers run here and the registration is current). */
  registered: boolean;
  lastHeartbeatAt?: Date;
  workers: 'running' | 'paused' | 'disabled' | 'stopped';
  shuttingDown: boolean;
  /** Set when the orchestrator stopped for a reason other than shutdown (a newer schema, a failure). */
  stoppedReason?: string;
  staleAfterMs: number;
  /** The schema is migrated and the queue accepts work. */
  ready: boolean;
}

const BOOT_MAX_DELAY_MS = 30_000;
/**
 * What the shutdown may spend after the handlers' grace period: the final flush, the hand-back of leases
 * and the deregistration share it, so close() returns in about shutdownGraceMs + 1 s (aborted handlers)
 * + this, even when the database no longer answers. What is left undone, the sweep does.
 */
export const SHUTDOWN_CLOSING_BUDGET_MS = 5_000;
/** The least a closing step is given once the budget is spent: a healthy database answers within it. */
const CLOSING_STEP_MIN_MS = 250;

/**
 * Orchestrator is this process's part in the queue: it migrates the schema, registers itself before
 * any worker fetches, heartbeats, sweeps stale orchestrators and runs the worker and the completer.
 * At shutdown it stops fetching, lets handlers finish (or aborts them after the grace period), flushes
 * completions, hands back the leases it still holds and deregisters, all before connections close.
 */
@Injectable()
export class Orchestrator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** This process's orchestrator id. */
  readonly id = uuidv7();
  readonly events = new EventEmitter<QueueEventMap>();
  private readonly logger = new Logger('Conductor:queue');
  private readonly options: ResolvedQueueOptions | null;
  private db?: Database;
  private sqlCatalog?: SqlCatalog;
  private producerInstance?: Producer;
  private worker?: Worker;
  private completer?: Completer;
  private maintenance?: Maintenance;
  private listener?: NotificationListener;
  private migrator?: Migrator;
  private readonly shutdown = new AbortController();
  private booting?: Promise<void>;
  private isReady = false;
  private isRegistered = false;
  private stoppedReason?: string;
  /** Why the last start attempt in the background failed, for callers still waiting for the queue. */
  private lastBootError?: string;
  private readonly readyWaiters = new Set<(error?: unknown) => void>();

  constructor(
    @Inject(RESOLVED_OPTIONS) resolved: ResolvedConductorOptions,
    private readonly databases: DatabaseRegistry,
    private readonly registry: TaskRegistry,
    @Inject(QUEUE_MIGRATIONS) private readonly migrations: Migration[],
  ) {
    this.options = resolved.queue;
  }

  /** The queue's settings; throws when `options.queue` was not given. */
  get settings(): ResolvedQueueOptions {
    if (!this.options) throw new Error('Conductor: no queue is configured (set options.queue = { database: ... })');
    return this.options;
  }

  /** The database the queue lives in. */
  get database(): Database {
    return (this.db ??= this.databases.get(this.settings.database));
  }

  /** The queue's SQL, bound to its schema. */
  get sql(): SqlCatalog {
    return (this.sqlCatalog ??= new SqlCatalog(this.settings.schema));
  }

  /** The LISTEN/NOTIFY channel of this queue's schema. */
  get channel(): string {
    return queueChannel(this.settings.schema);
  }

  /** The producer `QueueService` enqueues through. */
  get producer(): Producer {
    return (this.producerInstance ??= new Producer(
      this.database,
      this.sql,
      this.settings,
      () => this.taskMap(),
      this.channel,
      this.events,
    ));
  }

  /** Handlers registered in this process. */
  taskMap(): ReadonlyMap<string, RegisteredTask> {
    // The registry discovers once and keeps what it found.
    return this.options ? this.registry.load(this.options) : NO_TASKS;
  }

  /** Where this orchestrator stands. */
  status(): OrchestratorStatus {
    const options = this.options;
    return {
      registered: this.isRegistered,
      lastHeartbeatAt: this.maintenance?.lastHeartbeatAt,
      workers: !options?.workers ? 'disabled' : (this.worker?.state ?? 'stopped'),
      shuttingDown: this.shutdown.signal.aborted,
      stoppedReason: this.stoppedReason,
      staleAfterMs: options?.staleAfterMs ?? 0,
      ready: this.isReady,
    };
  }

  /** Late outcomes rejected by fencing so far, in this process. */
  get lateRejected(): number {
    return this.completer?.lateRejected ?? 0;
  }

  /**
   * Resolves when the schema is ready (migrated). Rejects when `signal` aborts (at once if it already
   * has), when the queue stops or shuts down, or after `timeoutMs`.
   */
  async whenReady(signal?: AbortSignal, timeoutMs = 30_000): Promise<void> {
    if (this.isReady) return;
    signal?.throwIfAborted();
    const database = this.settings.database; // throws at once, naming the fix, when no queue is configured
    this.throwIfStopped();
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: unknown): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        this.readyWaiters.delete(settle);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      const abort = (): void => settle(signal?.reason ?? new Error('aborted'));
      const timer = setTimeout(
        () =>
          settle(
            new Error(
              `Conductor: the queue is not ready after ${timeoutMs} ms (${this.lastBootError ? `its last start attempt failed: ${this.lastBootError}` : `its database "${database}" is unreachable or migrating`})`,
            ),
          ),
        timeoutMs,
      );
      signal?.addEventListener('abort', abort, { once: true });
      this.readyWaiters.add(settle);
    });
  }

  /** Throws when the queue stopped (superseded by a newer schema) or is shutting down. */
  private throwIfStopped(): void {
    const stopped = this.stoppedError();
    if (stopped) throw stopped;
  }

  /** Why the queue cannot become ready any more, if it cannot. */
  private stoppedError(): Error | undefined {
    if (this.stoppedReason) return new Error(`Conductor: the queue is stopped: ${this.stoppedReason}`);
    if (this.shutdown.signal.aborted) return new Error('Conductor: the queue is shutting down');
    return undefined;
  }

  /** Settles everyone waiting in `whenReady`: resolved when ready, rejected with `error` otherwise. */
  private settleReadyWaiters(error?: Error): void {
    for (const settle of [...this.readyWaiters]) settle(error);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options) return;
    this.taskMap();
    try {
      await this.boot();
    } catch (error) {
      if (this.shutdown.signal.aborted || this.stoppedReason) return;
      // A broken schema, a bad permission or a migration lock held too long stops the startup with its
      // cause; only a database that is away lets the app start, the queue coming up when it returns.
      const kind = isDatabaseCallError(error) ? error.kind : classifyError(error).kind;
      if (kind !== 'transient') throw error;
      this.lastBootError = error instanceof Error ? error.message : String(error);
      this.logger.warn(`queue not started yet (${this.lastBootError}); retrying in the background`);
      this.booting = this.bootInBackground();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options || this.shutdown.signal.aborted) return;
    this.shutdown.abort(new Error('shutting down'));
    this.settleReadyWaiters(this.stoppedError());
    await this.booting;
    await this.stopWork('shutdown');
  }

  /** Migrates, registers, then starts the worker, the listener and the maintenance timers. */
  private async boot(): Promise<void> {
    const options = this.settings;
    const signal = this.shutdown.signal;
    if (options.migrate) {
      this.migrator ??= new Migrator(this.database, this.sql, this.migrations, this.logger);
      await this.migrator.migrate({
        schema: options.schema,
        orchestratorId: this.id,
        lockTimeoutMs: options.migrationLockTimeoutMs,
        staleAfterMs: options.staleAfterMs,
        signal,
      });
    }
    if (options.workers) {
      // Registered before the first fetch: a crash from here on leaves leases the sweep can trace.
      await this.register(signal);
      this.isRegistered = true;
      await this.prepareArchive(options, signal);
      this.startWork(options);
    }
    this.isReady = true;
    this.settleReadyWaiters();
  }

  private async bootInBackground(): Promise<void> {
    for (let attempt = 1; !this.shutdown.signal.aborted && !this.isReady && !this.stoppedReason; attempt++) {
      try {
        await sleep(jitteredBackoff(attempt, 500, BOOT_MAX_DELAY_MS) + 100, this.shutdown.signal);
        await this.boot();
        this.logger.log('queue started');
      } catch (error) {
        if (this.shutdown.signal.aborted) return;
        this.lastBootError = error instanceof Error ? error.message : String(error);
        if (attempt % 10 === 0) this.logger.warn(`queue still not started: ${this.lastBootError}`);
      }
    }
  }

  private startWork(options: ResolvedQueueOptions): void {
    this.completer = new Completer(
      this.database,
      this.sql,
      { batchSize: options.completionBatchSize, flushMs: options.completionFlushMs, retentionMs: options.retentionMs },
      this.events,
      this.logger,
    );
    this.worker = new Worker(this.database, this.sql, options, this.taskMap(), this.completer, this.id, this.events, this.logger);
    this.maintenance = new Maintenance(
      this.database,
      this.sql,
      options,
      this.id,
      (outcome) => this.onHeartbeat(outcome),
      this.logger,
    );
    this.maintenance.registered();
    if (options.listen) {
      const primary = this.database.settings.primary;
      this.listener = new NotificationListener(
        {
          host: primary.host,
          port: primary.port,
          user: primary.user,
          password: primary.password,
          database: primary.database,
          ssl: primary.ssl === false ? undefined : primary.ssl,
          application_name: this.database.settings.applicationName,
          connectionTimeoutMillis: this.database.settings.pool.acquireTimeoutMs,
        },
        this.channel,
        (payload) => this.onNotification(payload),
        this.logger,
      );
      this.listener.start();
    }
    this.worker.start();
    this.producer.local = this.worker;
    this.maintenance.start();
  }

  /**
   * Makes the partitions of finished executions before the first completion, so none lands in the default
   * partition. A failure is not fatal: such rows are kept there, and the maintenance tries again.
   */
  private async prepareArchive(options: ResolvedQueueOptions, signal: AbortSignal): Promise<void> {
    try {
      await prepareArchivePartitions(this.database, this.sql, options.retentionMs, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.logger.warn(
        `could not make the partitions of finished executions yet (${error instanceof Error ? error.message : String(error)}); finished executions wait in the default partition of archived_executions until the maintenance makes them (it tries every ${CLEANUP_EVERY_MS / 1_000} s)`,
      );
    }
  }

  /** Records this process as a live orchestrator (again, after a sweep), at the schema version it runs. */
  private async register(signal?: AbortSignal): Promise<void> {
    const register = this.sql.get('register_orchestrator');
    await this.database.query(register.text, [this.id, hostname(), process.pid, this.migrations.length - 1], {
      name: register.name,
      idempotent: true,
      signal,
    });
  }

  private onNotification(payload: string): void {
    if (payload.startsWith('cancel:')) this.worker?.cancel(payload.slice('cancel:'.length));
    else this.worker?.notify();
  }

  private onHeartbeat(outcome: HeartbeatOutcome): void {
    if (outcome.kind === 'swept') {
      // Presumed dead by another process: its leases were requeued. Abort, forget them, register again.
      this.logger.error('this orchestrator was swept as stale; its running executions were requeued elsewhere. Re-registering.');
      // NOTE: executions fetched between the sweep and this heartbeat still carry current leases, and
      // after re-registering nobody would ever sweep them: hand them back (fenced, so the swept ones,
      // whose leases are gone, are left alone).
      void this.releaseLeases(this.worker?.loseLeases() ?? []);
      void this.register().catch(() => undefined);
    } else if (outcome.kind === 'shutdown-requested' && !this.stoppedReason) {
      this.stoppedReason = outcome.reason;
      this.settleReadyWaiters(this.stoppedError());
      this.logger.error(`stopping the queue in this process: ${outcome.reason}`);
      void this.stopWork('superseded');
    }
  }

  private stopping?: Promise<void>;

  /** Stops fetching, drains handlers, flushes, hands back leases and deregisters. Runs once. */
  private stopWork(why: 'shutdown' | 'superseded'): Promise<void> {
    this.stopping ??= (async () => {
      const options = this.settings;
      // One grace period for both steps: handlers keep running while the last fetch comes back.
      const graceEndsAt = Date.now() + options.shutdownGraceMs;
      if (this.producerInstance) this.producerInstance.local = undefined;
      const unstarted: LeasedExecution[] = (await this.worker?.stop()) ?? [];
      const aborted = (await this.worker?.drain(Math.max(0, graceEndsAt - Date.now()))) ?? [];
      const closeBy = Date.now() + SHUTDOWN_CLOSING_BUDGET_MS;
      const left = (): number => Math.max(CLOSING_STEP_MIN_MS, closeBy - Date.now());
      await this.completer?.close(left());
      await this.maintenance?.stop();
      await this.releaseLeases([...unstarted, ...aborted], left());
      await this.listener?.close();
      if (this.isRegistered) {
        const deregister = this.sql.get('deregister_orchestrator');
        await this.database
          .query(deregister.text, [this.id], { name: deregister.name, idempotent: true, timeoutMs: left() })
          .catch((error: unknown) =>
            this.logger.warn(`could not deregister: ${error instanceof Error ? error.message : String(error)}`),
          );
        this.isRegistered = false;
      }
      this.logger.log(why === 'shutdown' ? 'queue stopped' : 'queue stopped: superseded by a newer schema version');
    })();
    return this.stopping;
  }

  private async releaseLeases(executions: LeasedExecution[], timeoutMs = 5_000): Promise<void> {
    if (executions.length === 0) return;
    const statement = this.sql.get('release_executions');
    await this.database
      .query(statement.text, [executions.map((e) => e.lease)], { name: statement.name, idempotent: true, timeoutMs })
      .catch((error: unknown) =>
        this.logger.warn(
          `could not hand back ${executions.length} lease(s); deregistering will (or the sweep, if that fails too): ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  }
}
