import type { OnApplicationShutdown } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { Database } from '../database/database';
import type { DatabaseRegistry } from '../database/database-registry';
import type { ResolvedMetricsOptions } from '../options/resolved-options.interface';
import { DatabaseMetrics } from './database-metrics';
import { loadOpenTelemetry } from './open-telemetry';
import { SpanRecorder } from './span-recorder';
import { TaskMetrics, type TaskMetricsSource } from './task-metrics';

/**
 * ConductorMetrics owns Conductor's Prometheus series, in the registry given as `options.metrics.registry`
 * or in one of its own, and records OpenTelemetry spans when `@opentelemetry/api` is installed. It only
 * listens to the events of the databases and the queue; they do not know it exists.
 *
 * ```ts
 * @Get('metrics') async metrics(@Res() res) { res.type(this.metrics.contentType).send(await this.metrics.metrics()); }
 * ```
 */
export class ConductorMetrics implements OnApplicationShutdown {
  /** The registry Conductor's series live in. */
  readonly registry: Registry;
  private readonly ownsRegistry: boolean;
  private readonly names: string[];
  private readonly databaseMetrics: DatabaseMetrics;
  private readonly taskMetrics: TaskMetrics;
  private readonly spans?: SpanRecorder;
  private readonly detachers: (() => void)[] = [];

  constructor(options: ResolvedMetricsOptions, databases: DatabaseRegistry) {
    this.ownsRegistry = options.registry === undefined;
    this.registry = options.registry ?? new Registry();
    const before = new Set(this.registry.getMetricsAsArray().map((m) => m.name));
    this.databaseMetrics = new DatabaseMetrics(this.registry, options.prefix);
    this.taskMetrics = new TaskMetrics(this.registry, options.prefix);
    this.names = this.registry
      .getMetricsAsArray()
      .map((m) => m.name)
      .filter((name) => !before.has(name));
    const otel = loadOpenTelemetry();
    if (otel) this.spans = new SpanRecorder(otel);
    for (const database of databases.all()) this.attachDatabase(database);
  }

  /** The content type of `metrics()` for the HTTP response. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every series of the registry in the Prometheus text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Counts the queue's events and reads its depth at scrape time (the module calls it when there is a queue). */
  attachQueue(queue: TaskMetricsSource): void {
    this.detachers.push(this.taskMetrics.attach(queue));
    const spans = this.spans;
    if (!spans) return;
    const completed = (e: Parameters<SpanRecorder['task']>[0]): void => spans.task(e, false);
    const failed = (e: Parameters<SpanRecorder['task']>[0]): void => spans.task(e, true);
    queue.events.on('completed', completed);
    queue.events.on('failed', failed);
    this.detachers.push(() => {
      queue.events.off('completed', completed);
      queue.events.off('failed', failed);
    });
  }

  /** Stops listening, and takes Conductor's series out of a registry the application owns (so a new app can add them again). */
  onApplicationShutdown(): void {
    for (const detach of this.detachers.splice(0)) detach();
    if (this.ownsRegistry) this.registry.clear();
    else for (const name of this.names) this.registry.removeSingleMetric(name);
  }

  private attachDatabase(database: Database): void {
    this.detachers.push(this.databaseMetrics.attach(database));
    const spans = this.spans;
    if (!spans) return;
    const query = (e: Parameters<SpanRecorder['query']>[0]): void => spans.query(e);
    database.events.on('query', query);
    this.detachers.push(() => database.events.off('query', query));
  }
}
