import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import type { QueueEventMap } from '../queue/queue-events';
import type { QueueStats } from '../queue/queue.interfaces';
import { TaskMetrics } from './task-metrics';

function source(stats: () => Promise<QueueStats>): { events: EventEmitter<QueueEventMap>; stats: () => Promise<QueueStats> } {
  return { events: new EventEmitter<QueueEventMap>(), stats };
}

describe('TaskMetrics', () => {
  it('counts each event under its task and queue', async () => {
    const registry = new Registry();
    const metrics = new TaskMetrics(registry, 'conductor_');
    const queue = source(async () => ({ tasks: [], ready: 0, oldestReadyAgeMs: 0, dead: 0, completedLastMinute: 0 }));
    const detach = metrics.attach(queue);
    const at = { task: 'send', queue: 'mail' };
    queue.events.emit('invoked', { ...at, count: 3 });
    queue.events.emit('started', { ...at, attempt: 1, waitMs: 40 });
    queue.events.emit('completed', { ...at, durationMs: 12 });
    queue.events.emit('failed', { ...at, durationMs: 5, dead: false, error: new Error('x') });
    queue.events.emit('failed', { ...at, durationMs: 5, dead: true, error: new Error('x') });
    queue.events.emit('late', at);
    const text = await registry.metrics();
    expect(text).toContain('conductor_task_invoked_total{task="send",queue="mail"} 3');
    expect(text).toContain('conductor_task_completed_total{task="send",queue="mail"} 1');
    expect(text).toContain('conductor_task_failed_total{task="send",queue="mail"} 2');
    expect(text).toContain('conductor_task_retried_total{task="send",queue="mail"} 1');
    expect(text).toContain('conductor_task_dead_total{task="send",queue="mail"} 1');
    expect(text).toContain('conductor_task_late_completions_total{task="send",queue="mail"} 1');
    expect(text).toContain('conductor_task_run_duration_seconds_count{task="send",queue="mail",outcome="failed"} 2');
    expect(text).toContain('conductor_task_queue_wait_seconds_sum{task="send",queue="mail"} 0.04');
    detach();
    queue.events.emit('late', at);
    expect(await registry.metrics()).toContain('conductor_task_late_completions_total{task="send",queue="mail"} 1');
  });

  it('reads the depth once per scrape and keeps the last values when the queue cannot answer', async () => {
    const registry = new Registry();
    const metrics = new TaskMetrics(registry, 'conductor_');
    let calls = 0;
    let fail = false;
    metrics.attach(
      source(async () => {
        calls++;
        if (fail) throw new Error('database down');
        return {
          tasks: [{ task: 'send', queue: 'mail', queued: 4, running: 1, dead: 2 }],
          ready: 4,
          oldestReadyAgeMs: 2_500,
          dead: 2,
          completedLastMinute: 0,
        };
      }),
    );
    const first = await registry.metrics();
    expect(calls).toBe(1);
    expect(first).toContain('conductor_queue_ready_executions 4');
    expect(first).toContain('conductor_queue_oldest_ready_age_seconds 2.5');
    expect(first).toContain('conductor_task_executions{task="send",queue="mail",state="dead"} 2');
    fail = true;
    const second = await registry.metrics();
    expect(calls).toBe(2);
    expect(second).toContain('conductor_queue_ready_executions 4');
  });
});
