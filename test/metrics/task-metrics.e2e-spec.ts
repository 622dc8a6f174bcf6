import { Injectable } from '@nestjs/common';
import { ConductorMetrics, type TaskContext, Task } from '@conductor/nestjs';
import { eventually, useQueueApp } from '../support/queue-app';
import { sample } from './prometheus-sample';

@Injectable()
class Handlers {
  @Task('work')
  async work(): Promise<string> {
    return 'done';
  }

  @Task('doomed', { maxAttempts: 2 })
  async doomed(_payload: unknown, ctx: TaskContext): Promise<never> {
    throw new Error(`attempt ${ctx.attempt} fails`);
  }
}

describe('task metrics', () => {
  const q = useQueueApp('tmetrics', [Handlers]);
  let metrics: ConductorMetrics;

  beforeAll(() => {
    metrics = q.app.get(ConductorMetrics);
  });

  it('counts invocations, completions, retries and dead executions, with run and wait histograms', async () => {
    const at = '{task="work",queue="default"}';
    const doomed = '{task="doomed",queue="default"}';
    const before = await metrics.metrics();
    await q.queue.invokeBatch([1, 2, 3, 4].map((n) => ({ task: 'work', payload: { n } })));
    await q.queue.invoke('doomed', {});
    await eventually('all finished', async () => {
      const text = await metrics.metrics();
      return (
        (sample(text, `conductor_task_completed_total${at}`) ?? 0) >= 4 &&
        (sample(text, `conductor_task_dead_total${doomed}`) ?? 0) >= 1
      );
    });
    const after = await metrics.metrics();
    const moved = (series: string): number => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(moved(`conductor_task_invoked_total${at}`)).toBe(4);
    expect(moved(`conductor_task_completed_total${at}`)).toBe(4);
    expect(moved(`conductor_task_run_duration_seconds_count{task="work",queue="default",outcome="completed"}`)).toBe(4);
    expect(moved(`conductor_task_queue_wait_seconds_count${at}`)).toBe(4);
    expect(moved(`conductor_task_failed_total${doomed}`)).toBe(2);
    expect(moved(`conductor_task_retried_total${doomed}`)).toBe(1);
    expect(moved(`conductor_task_dead_total${doomed}`)).toBe(1);
    expect(after).toContain('conductor_task_late_completions_total');
  });

  it('reads the depth of the queue at scrape time', async () => {
    const text = await metrics.metrics();
    expect(sample(text, 'conductor_queue_ready_executions')).toBe(0);
    expect(sample(text, 'conductor_task_executions{task="doomed",queue="default",state="dead"}')).toBe(1);
    await q.queue.invoke('work', {}, { delayMs: 60_000 });
    const later = await metrics.metrics();
    expect(sample(later, 'conductor_task_executions{task="work",queue="default",state="queued"}')).toBe(1);
  });
});
