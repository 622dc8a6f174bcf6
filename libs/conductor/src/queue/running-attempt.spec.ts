import type { LeasedExecution } from './leased-execution';
import { RunningAttempt } from './running-attempt';

const execution: LeasedExecution = {
  id: '0190a0a0-0000-7000-8000-000000000001',
  task: 'send',
  queue: 'default',
  payload: {},
  attempts: 1,
  lease: '7',
  wait_ms: 0,
  priority: 0,
};

/** Settles `attempt` with `work` and records every callback it makes. */
function watch(attempt: RunningAttempt, work: Promise<unknown>): { calls: string[] } {
  const calls: string[] = [];
  attempt.settle(
    work,
    (result) => calls.push(`result:${String(result)}`),
    (error) => calls.push(`error:${error instanceof Error ? error.message : String(error)}`),
  );
  return { calls };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RunningAttempt.settle', () => {
  it("reports the handler's result once", async () => {
    const { calls } = watch(new RunningAttempt(execution), Promise.resolve(42));
    await turn();
    expect(calls).toEqual(['result:42']);
  });

  it("reports the handler's rejection, and an abort after it changes nothing", async () => {
    const attempt = new RunningAttempt(execution);
    const { calls } = watch(attempt, Promise.reject(new Error('boom')));
    await turn();
    attempt.abort(new Error('timed out'));
    await turn();
    expect(calls).toEqual(['error:boom']);
  });

  it('settles with the reason as soon as the run is aborted, and drops the late result', async () => {
    const attempt = new RunningAttempt(execution);
    let finish!: (value: unknown) => void;
    const { calls } = watch(attempt, new Promise((resolve) => (finish = resolve)));
    attempt.abort(new Error('cancelled'));
    // Not within abort(): its caller finishes its own loop first.
    expect(calls).toEqual([]);
    await turn();
    finish('late');
    await turn();
    expect(calls).toEqual(['error:cancelled']);
    expect(attempt.aborted).toBe(true);
  });

  it('settles with the reason when the run was aborted before it was watched', async () => {
    const attempt = new RunningAttempt(execution);
    attempt.abort(new Error('shutdown'));
    const { calls } = watch(attempt, Promise.resolve('done'));
    await turn();
    expect(calls).toEqual(['error:shutdown']);
  });

  it('fires ctx.signal with the reason, even when read after the abort', () => {
    const attempt = new RunningAttempt(execution);
    const reason = new Error('timed out');
    attempt.abort(reason);
    expect(attempt.signal.aborted).toBe(true);
    expect(attempt.signal.reason).toBe(reason);
  });
});
