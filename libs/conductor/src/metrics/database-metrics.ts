import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database } from '../database/database';
import type { DatabaseEventMap } from '../database/database-events';
import { FastHistogram } from './fast-series';
import { BREAKER_STATE_VALUES, QUERY_BUCKETS } from './metric-buckets';

type Listeners = { [E in keyof DatabaseEventMap]: (...args: DatabaseEventMap[E]) => void };

/**
 * DatabaseMetrics turns each database's events into Prometheus series labelled `database`: acquire and
 * execute histograms, errors and retries by class, breaker transitions; pool and breaker gauges are read
 * from `stats()` at scrape time, so they are never stale.
 */
export class DatabaseMetrics {
  private readonly databases = new Map<string, Database>();
  private readonly acquire: FastHistogram;
  private readonly execute: FastHistogram;
  private readonly errors: Counter<'database' | 'class'>;
  private readonly retries: Counter<'database' | 'class'>;
  private readonly transitions: Counter<'database' | 'state'>;

  constructor(registry: Registry, prefix: string) {
    const registers = [registry];
    const duration = (name: string, help: string): FastHistogram =>
      new FastHistogram(`${prefix}${name}`, help, ['database', 'route'], QUERY_BUCKETS, registry);
    const byClass = (name: string, help: string): Counter<'database' | 'class'> =>
      new Counter({ name: `${prefix}${name}`, help, labelNames: ['database', 'class'], registers });
    this.acquire = duration('db_acquire_duration_seconds', 'Time to get a pool connection for a statement.');
    this.execute = duration(
      'db_execute_duration_seconds',
      'Time to execute a statement (or a whole transaction) on its connection.',
    );
    this.errors = byClass(
      'db_errors_total',
      'Database calls that failed for good, by error class (transient, permanent, misconfiguration, unknown).',
    );
    this.retries = byClass('db_retries_total', 'Failed attempts that were retried, by error class.');
    this.transitions = new Counter({
      name: `${prefix}db_breaker_transitions_total`,
      help: 'Circuit breaker state changes, by the state entered.',
      labelNames: ['database', 'state'],
      registers,
    });
    const databases = this.databases;
    const each = (read: (db: Database) => number) =>
      function (this: Gauge<'database'>): void {
        // NOTE: this gauge is a view of `stats()`, so a database detached since the last scrape must vanish.
        this.reset();
        for (const db of databases.values()) this.set({ database: db.key }, read(db));
      };
    const gauge = (name: string, help: string, read: (db: Database) => number): void =>
      void new Gauge({ name: `${prefix}${name}`, help, labelNames: ['database'], registers, collect: each(read) });
    gauge(
      'db_breaker_state',
      'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
      (db) => BREAKER_STATE_VALUES[db.breakerState],
    );
    gauge('db_pool_connections', 'Connections open in the primary pool.', (db) => db.stats().pool.total);
    gauge('db_pool_idle_connections', 'Idle connections in the primary pool.', (db) => db.stats().pool.idle);
    gauge('db_pool_waiting_requests', 'Requests waiting for a primary pool connection.', (db) => db.stats().pool.waiting);
    gauge('db_pool_max_connections', 'Most connections the primary pool opens.', (db) => db.stats().pool.max);
  }

  /** Starts counting `database`'s events; returns the function that stops. */
  attach(database: Database): () => void {
    const labels = { database: database.key };
    // NOTE: one statement, one event: the series of each route are resolved once, then only counted.
    const route = (name: 'primary' | 'replica') => ({
      acquire: this.acquire.labels({ database: database.key, route: name }),
      execute: this.execute.labels({ database: database.key, route: name }),
    });
    const routes: Partial<Record<'primary' | 'replica', ReturnType<typeof route>>> = {};
    const listeners: Listeners = {
      query: (e) => {
        const series = (routes[e.route] ??= route(e.route));
        series.acquire.observe(e.acquireMs / 1000);
        series.execute.observe(e.executeMs / 1000);
      },
      retry: (e) => this.retries.inc({ ...labels, class: e.classification.kind }),
      failure: (e) => this.errors.inc({ ...labels, class: e.classification.kind }),
      breaker: (e) => this.transitions.inc({ ...labels, state: e.state }),
    };
    for (const [event, listener] of Object.entries(listeners))
      database.events.on(event as keyof DatabaseEventMap, listener as never);
    this.databases.set(database.key, database);
    return () => {
      for (const [event, listener] of Object.entries(listeners))
        database.events.off(event as keyof DatabaseEventMap, listener as never);
      this.databases.delete(database.key);
    };
  }
}
