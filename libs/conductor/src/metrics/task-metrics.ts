import type { EventEmitter } from 'node:events';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { QueueEventMap } from '../queue/queue-events';
import type { QueueStats } from '../queue/queue.interfaces';
import { withDeadline } from '../resilience/with-deadline';
import { type CounterSeries, FastCounter, FastHistogram, type HistogramSeries } from './fast-series';
import { TASK_BUCKETS } from './metric-buckets';

type Labels = 'task' | 'queue';
type Listeners = { [E in keyof QueueEventMap]: (...args: QueueEventMap[E]) => void };

/** What task metrics listen to and read: `QueueService` fits. */
export interface TaskMetricsSource {
  events: EventEmitter<QueueEventMap>;
  stats(options?: { signal?: AbortSignal }): Promise<QueueStats>;
}

/** Longest a scrape waits for the queue's counts; past it the gauges keep their previous values. */
const STATS_TIMEOUT_MS = 2_000;

/**
 * TaskMetrics turns the queue's events into Prometheus series labelled `task` and `queue`: invoked,
 * completed, failed, retried, dead and late completions, run duration and queue wait; the ready depth
 * and per-task counts are read from `stats()` at scrape time.
 */
export class TaskMetrics {
  private readonly invoked: Counter<Labels>;
  private readonly completed: FastCounter;
  private readonly failed: Counter<Labels>;
  private readonly retried: Counter<Labels>;
  private readonly dead: Counter<Labels>;
  private readonly late: Counter<Labels>;
  private readonly run: FastHistogram;
  private readonly wait: FastHistogram;
  private source?: TaskMetricsSource;
  private pendingStats?: Promise<QueueStats | undefined>;

  constructor(registry: Registry, prefix: string) {
    const registers = [registry];
    const counter = (name: string, help: string): Counter<Labels> =>
      new Counter({ name: `${prefix}${name}`, help, labelNames: ['task', 'queue'], registers });
    this.invoked = counter('task_invoked_total', 'Executions created by invoke (deduplicated ones not counted).');
    this.completed = new FastCounter(
      `${prefix}task_completed_total`,
      'Attempts that succeeded and were recorded.',
      ['task', 'queue'],
      registry,
    );
    this.failed = counter('task_failed_total', 'Attempts that failed (retried or dead).');
    this.retried = counter('task_retried_total', 'Failed attempts that will be retried.');
    this.dead = counter('task_dead_total', 'Executions that used up their attempts.');
    this.late = counter('task_late_completions_total', 'Completions rejected because their lease was no longer current.');
    this.run = new FastHistogram(
      `${prefix}task_run_duration_seconds`,
      'Handler run time, by outcome (completed or failed).',
      ['task', 'queue', 'outcome'],
      TASK_BUCKETS,
      registry,
    );
    this.wait = new FastHistogram(
      `${prefix}task_queue_wait_seconds`,
      'Time from when an execution was due to when its handler started.',
      ['task', 'queue'],
      TASK_BUCKETS,
      registry,
    );
    // NOTE: prom-client collects every metric of a scrape at once; the three gauges share one stats query.
    const shared = (): Promise<QueueStats | undefined> =>
      (this.pendingStats ??= this.readStats().finally(() => (this.pendingStats = undefined)));
    new Gauge({
      name: `${prefix}queue_ready_executions`,
      help: 'Executions ready to run now.',
      registers,
      collect: async function (this: Gauge) {
        const stats = await shared();
        if (stats) this.set(stats.ready);
      },
    });
    new Gauge({
      name: `${prefix}queue_oldest_ready_age_seconds`,
      help: 'Age of the oldest ready execution (0 when none is ready).',
      registers,
      collect: async function (this: Gauge) {
        const stats = await shared();
        if (stats) this.set(stats.oldestReadyAgeMs / 1000);
      },
    });
    new Gauge({
      name: `${prefix}task_executions`,
      help: 'Executions of each task by state (queued, running, dead).',
      labelNames: ['task', 'queue', 'state'],
      registers,
      collect: async function (this: Gauge<Labels | 'state'>) {
        const stats = await shared();
        if (!stats) return;
        this.reset();
        for (const t of stats.tasks) {
          this.set({ task: t.task, queue: t.queue, state: 'queued' }, t.queued);
          this.set({ task: t.task, queue: t.queue, state: 'running' }, t.running);
          this.set({ task: t.task, queue: t.queue, state: 'dead' }, t.dead);
        }
      },
    });
  }

  /** Starts counting `source`'s events and reading its stats at scrape time; returns the function that stops. */
  attach(source: TaskMetricsSource): () => void {
    const labels = (e: { task: string; queue: string }): Record<Labels, string> => ({ task: e.task, queue: e.queue });
    // NOTE: started and completed fire once per execution: their series are looked up once per task and
    // queue, not hashed from a labels object on every event (measurable at tens of thousands a second).
    // By task, then queue: a key joined from both was a new string to build and hash on every event.
    const hot = new Map<string, Map<string, { wait: HistogramSeries; completed: CounterSeries; run: HistogramSeries }>>();
    const series = (e: { task: string; queue: string }) => {
      let byQueue = hot.get(e.task);
      if (!byQueue) hot.set(e.task, (byQueue = new Map()));
      let found = byQueue.get(e.queue);
      if (!found) {
        found = {
          wait: this.wait.labels({ task: e.task, queue: e.queue }),
          completed: this.completed.labels({ task: e.task, queue: e.queue }),
          run: this.run.labels({ task: e.task, queue: e.queue, outcome: 'completed' }),
        };
        byQueue.set(e.queue, found);
      }
      return found;
    };
    const listeners: Listeners = {
      invoked: (e) => this.invoked.inc(labels(e), e.count),
      started: (e) => series(e).wait.observe(Math.max(0, e.waitMs) / 1000),
      completed: (e) => {
        const s = series(e);
        s.completed.inc();
        s.run.observe(e.durationMs / 1000);
      },
      failed: (e) => {
        this.failed.inc(labels(e));
        (e.dead ? this.dead : this.retried).inc(labels(e));
        this.run.labels({ ...labels(e), outcome: 'failed' }).observe(e.durationMs / 1000);
      },
      late: (e) => this.late.inc(labels(e)),
    };
    for (const [event, listener] of Object.entries(listeners)) source.events.on(event as keyof QueueEventMap, listener as never);
    this.source = source;
    return () => {
      for (const [event, listener] of Object.entries(listeners))
        source.events.off(event as keyof QueueEventMap, listener as never);
      if (this.source === source) this.source = undefined;
    };
  }

  /** The queue's counts within STATS_TIMEOUT_MS, or undefined (no queue, timed out, or failed). */
  private async readStats(): Promise<QueueStats | undefined> {
    const source = this.source;
    if (!source) return undefined;
    try {
      return await withDeadline(
        STATS_TIMEOUT_MS,
        undefined,
        () => new Error('queue stats timed out'),
        (signal) => source.stats({ signal }),
      );
    } catch {
      // A scrape must not fail because the queue's database is down: the gauges keep their last values.
      return undefined;
    }
  }
}
