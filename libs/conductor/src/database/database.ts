import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { ResolvedDatabaseOptions } from '../options/resolved-options.interface';
import { classifyError } from '../resilience/classify-error';
import { type CallOptions, ResiliencePolicy } from '../resilience/resilience-policy';
import { markMaybeExecuted } from '../resilience/sent-marker';
import { raceAbort } from '../resilience/abortable';
import { checkout } from './checkout';
import { type BatchOperation, type BatchOptions, type BatchResult, runBatch } from './batch-execute';
import { DatabaseConnector } from './database-connector';
import { DatabaseInstrumentation } from './database-instrumentation';
import type { DatabaseStats, ServerInfo } from './database-stats.interface';
import { type QueryRoute, routeStatement } from './query-route';
import { sendStatement } from './send-statement';
import { type TransactionContext, TransactionScope } from './transaction-scope';

/** Options of one `Database.query` call. */
export interface QueryOptions extends CallOptions {
  /** Prepared-statement name: the server parses and plans the statement once per connection. */
  name?: string;
  /** Where to run it; by default plain SELECTs go to a replica when there is one. */
  route?: QueryRoute;
}

/** Options of `Database.transaction`. */
export interface TransactionOptions extends Omit<CallOptions, 'idempotent'> {
  isolation?: IsolationLevel;
}

/**
 * Database is the handle of one key (`@InjectDatabase(Db.Main)`): every query, transaction and batch
 * runs through this database's own policy (timeout, retry, breaker, bulkhead) on its own pool.
 * Inside `transaction(fn)`, every `query` on the same key joins the transaction.
 */
export class Database implements OnModuleInit, OnApplicationShutdown {
  readonly key: string;
  private readonly logger: Logger;
  private readonly connector: DatabaseConnector;
  private readonly policy: ResiliencePolicy;
  private readonly instrumentation: DatabaseInstrumentation;
  private readonly transactions = new AsyncLocalStorage<TransactionScope>();

  constructor(
    private readonly options: ResolvedDatabaseOptions,
    /** The TypeORM DataSource of this key (the same one `@InjectDataSource(key)` gives). */
    readonly dataSource: DataSource,
  ) {
    this.key = options.key;
    this.logger = new Logger(`Conductor:${options.key}`);
    this.connector = new DatabaseConnector(options, dataSource, this.logger);
    const { host, port, database } = options.primary;
    const pools = 1 + options.replicas.length;
    this.policy = new ResiliencePolicy(options.key, `${host}:${port}/${database}`, options.resilience, options.pool.max * pools);
    this.instrumentation = new DatabaseInstrumentation(options, this.logger);
    this.policy.listen(this.instrumentation);
  }

  /** Events for metrics and tracing: `query`, `retry`, `failure`, `breaker`. */
  get events(): DatabaseInstrumentation['events'] {
    return this.instrumentation.events;
  }

  /** The validated options of this key. */
  get settings(): ResolvedDatabaseOptions {
    return this.options;
  }

  /** The circuit breaker's state now. */
  get breakerState(): ResiliencePolicy['breakerState'] {
    return this.policy.breakerState;
  }

  async onModuleInit(): Promise<void> {
    await this.connector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // The deadline timers go even when closing the pool fails: none may outlive the app.
    try {
      await this.connector.close();
    } finally {
      this.policy.close();
    }
  }

  /** The transaction this async context runs in on this key, if any. */
  get currentTransaction(): TransactionContext | undefined {
    return this.transactions.getStore();
  }

  /**
   * Runs one statement and returns its rows. Inside `transaction(fn)` it joins the transaction;
   * otherwise it runs under the policy. A statement that may have reached the server before its
   * connection broke is retried only with `{ idempotent: true }`.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options: QueryOptions = {}): Promise<T[]> {
    // Not `async` (a promise around the policy's own, on every statement), so bad input must still reject, not throw.
    try {
      const scope = this.transactions.getStore();
      if (scope) return scope.query<T>(sql, params, options);
      const route = this.options.replicas.length > 0 ? (options.route ?? routeStatement(sql)) : 'primary';
      const name = this.options.preparedStatements ? options.name : undefined;
      return this.policy.execute((signal) => this.runOnce<T>(sql, params, name, route, signal), options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs `fn` in a transaction on the primary and commits when it resolves, rolls back when it throws.
   * Nested calls become savepoints. A failure before COMMIT was sent that is transient (connection lost,
   * serialization failure, deadlock) re-runs `fn` as a whole, within the retry budget; a failure during
   * COMMIT never does, since the transaction may have committed.
   */
  async transaction<T>(fn: (tx: TransactionContext) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const scope = this.transactions.getStore();
    if (scope) return scope.savepoint((nested) => this.transactions.run(nested, () => fn(nested)));
    return this.policy.execute(async (signal) => {
      await this.connector.ready(signal);
      const queryRunner = this.dataSource.createQueryRunner('master');
      const started = performance.now();
      let client: PoolClient;
      try {
        client = (await queryRunner.connect()) as PoolClient;
        // The deadline may have passed while it waited for a connection: run nothing the caller gave up on.
        signal.throwIfAborted();
      } catch (error) {
        await queryRunner.release().catch(() => undefined);
        throw error;
      }
      const acquired = performance.now();
      let commitSent = false;
      let broken: unknown;
      const onAbort = (): void =>
        void (queryRunner as unknown as { releasePostgresConnection(e: Error): Promise<void> }).releasePostgresConnection(
          new Error('aborted'),
        );
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await queryRunner.startTransaction(options.isolation);
        const scopeForFn = new TransactionScope(this.key, queryRunner, client, this.options.preparedStatements);
        const result = await this.transactions.run(scopeForFn, () => fn(scopeForFn));
        commitSent = true;
        await queryRunner.commitTransaction();
        this.instrumentation.statement(
          'TRANSACTION',
          acquired - started,
          performance.now() - acquired,
          'primary',
          this.connector.pool('primary'),
        );
        return result;
      } catch (error) {
        if (commitSent) markMaybeExecuted(error);
        if (isConnectionLevel(error)) broken = error;
        else if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch((e: unknown) => (broken = e));
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
        if (broken)
          await (queryRunner as unknown as { releasePostgresConnection(e: unknown): Promise<void> }).releasePostgresConnection(
            broken,
          );
        else await queryRunner.release();
      }
    }, options);
  }

  /**
   * Runs many operations with bounded concurrency, each under this database's policy. One failure never
   * stops the others; the overall `timeoutMs` aborts what has not finished.
   */
  batchExecute<T = Record<string, unknown>[]>(
    ops: ReadonlyArray<BatchOperation<T>>,
    options: BatchOptions = {},
  ): Promise<BatchResult<T>> {
    return runBatch(this, ops, options);
  }

  /** A snapshot of this key's pool, breaker, counters and timings. */
  stats(): DatabaseStats {
    let pool = { total: 0, idle: 0, waiting: 0, max: this.options.pool.max };
    if (this.connector.connectionState === 'connected') {
      const p = this.connector.pool('primary');
      pool = { total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount, max: this.options.pool.max };
    }
    const i = this.instrumentation;
    return {
      key: this.key,
      state: this.connector.connectionState,
      breaker: this.policy.breakerState,
      pool,
      queued: this.policy.queued,
      queries: i.queries,
      failures: i.failures,
      retries: i.retries,
      slowQueries: i.slowQueries,
      acquire: { ...i.acquire },
      execute: { ...i.execute },
      inOutage: i.inOutage,
      lastError: this.connector.lastConnectionError,
    };
  }

  /** Reads the server's version and uptime (on demand: one round trip). */
  async serverInfo(): Promise<ServerInfo> {
    const [row] = await this.query<{ version: string; uptime: number; database: string }>(
      `SELECT current_setting('server_version') AS version,
              extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS uptime,
              current_database() AS database`,
      [],
      { route: 'primary', idempotent: true },
    );
    return { version: row.version, uptimeSeconds: row.uptime, database: row.database };
  }

  /** One attempt: get a connection (safe to retry), run the statement (retry only if it cannot have run). */
  private async runOnce<T>(
    sql: string,
    params: unknown[] | undefined,
    name: string | undefined,
    route: QueryRoute,
    signal: AbortSignal,
  ): Promise<T[]> {
    if (this.connector.connectionState !== 'connected') await this.connector.ready(signal);
    const pool: Pool = this.connector.pool(route);
    const started = performance.now();
    const client = await checkout(pool, signal);
    const acquired = performance.now();
    watchErrors(client);
    let result;
    try {
      const pending = sendStatement(client, sql, params, name);
      result = await raceAbort(pending, signal, (late) => {
        late.catch(() => undefined);
        client.release(new Error('aborted: the call timed out or was cancelled'));
      });
    } catch (error) {
      if (signal.aborted) throw error;
      if (isConnectionLevel(error)) {
        // Without an answer from the server the statement may or may not have run.
        if (!isServerAnswer(error)) markMaybeExecuted(error);
        client.release(error as Error);
      } else {
        client.release();
      }
      throw error;
    }
    client.release();
    this.instrumentation.statement(sql, acquired - started, performance.now() - acquired, route, pool);
    return result.rows as T[];
  }
}

const WATCHED = Symbol('conductor.watched');

/**
 * Swallows a client's 'error' events, once per connection. NOTE: a checked-out pg client emits 'error'
 * when its connection drops, besides failing the query; the pool listens only while the client is idle,
 * and an unheard 'error' would crash the process. The query it breaks reports the same error.
 */
function watchErrors(client: PoolClient): void {
  const marked = client as PoolClient & { [WATCHED]?: true };
  if (marked[WATCHED]) return;
  marked[WATCHED] = true;
  client.on('error', () => undefined);
}

/** True when the server itself answered with this error (then the statement did not commit). */
function isServerAnswer(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in (error as object);
}

/** True when the error leaves the connection unusable: lost, or terminated by the server. */
function isConnectionLevel(error: unknown): boolean {
  if (isServerAnswer(error)) {
    const code = (error as { code: string }).code;
    return code.startsWith('08') || code.startsWith('57P');
  }
  return classifyError(error).kind === 'transient';
}
