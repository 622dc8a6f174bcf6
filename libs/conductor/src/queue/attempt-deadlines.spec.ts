import type { LeasedExecution } from './leased-execution';
import { AttemptDeadlines } from './attempt-deadlines';
import { TaskTimeoutError } from './queue-errors';
import { RunningAttempt } from './running-attempt';
import type { RegisteredTask } from './task-registry';

function attempt(id: string, task: string): RunningAttempt {
  const execution = {
    id,
    task,
    queue: 'default',
    payload: null,
    attempts: 1,
    lease: '1',
    wait_ms: 0,
    priority: 0,
  } as LeasedExecution;
  return new RunningAttempt(execution);
}

function tasks(...entries: [string, number][]): Map<string, RegisteredTask> {
  return new Map(entries.map(([name, timeoutMs]) => [name, { name, timeoutMs } as RegisteredTask]));
}

describe('AttemptDeadlines', () => {
  it('aborts exactly the runs past their deadline, with a TaskTimeoutError naming the task and its timeout', () => {
    let now = 1_000;
    const running = new Map<string, RunningAttempt>();
    const registered = tasks(['fast', 100], ['slow', 5_000]);
    const deadlines = new AttemptDeadlines(running, registered, () => now);
    const fast = attempt('a', 'fast');
    const slow = attempt('b', 'slow');
    fast.deadline = now + 100;
    slow.deadline = now + 5_000;
    running.set(fast.id, fast).set(slow.id, slow);

    now = 1_099;
    expect(deadlines.check()).toBe(0);
    now = 1_100;
    expect(deadlines.check()).toBe(1);
    expect(fast.aborted).toBe(true);
    expect(fast.reason).toBeInstanceOf(TaskTimeoutError);
    expect((fast.reason as Error).message).toContain('fast');
    expect((fast.reason as Error).message).toContain('100');
    expect(slow.aborted).toBe(false);
    // An aborted run still in the map is not aborted again.
    expect(deadlines.check()).toBe(0);
  });

  it('checks on a timer while runs are watched, and stops when idle', async () => {
    const running = new Map<string, RunningAttempt>();
    const registered = tasks(['quick', 50]);
    const deadlines = new AttemptDeadlines(running, registered);
    const run = attempt('c', 'quick');
    run.deadline = performance.now() + 50;
    running.set(run.id, run);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      deadlines.watch();
      await pause(120);
      expect(run.aborted).toBe(true);
      expect(run.reason).toBeInstanceOf(TaskTimeoutError);

      // Idle: an overdue run is left alone until the next watch().
      deadlines.idle();
      const overdue = attempt('d', 'quick');
      overdue.deadline = performance.now();
      running.set(overdue.id, overdue);
      await pause(60);
      expect(overdue.aborted).toBe(false);
    } finally {
      deadlines.idle();
    }
  });
});
