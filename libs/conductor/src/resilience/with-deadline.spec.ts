import { withDeadline } from './with-deadline';

const never = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('work saw the abort'))));

describe('withDeadline', () => {
  it('settles with the work when it finishes in time, leaving its signal alone', async () => {
    let seen: AbortSignal | undefined;
    const value = await withDeadline(
      1_000,
      undefined,
      () => new Error('late'),
      async (signal) => {
        seen = signal;
        return 42;
      },
    );
    expect(value).toBe(42);
    expect(seen?.aborted).toBe(false);
  });

  it('passes the work’s own failure through', async () => {
    await expect(
      withDeadline(
        1_000,
        undefined,
        () => new Error('late'),
        () => Promise.reject(new Error('boom')),
      ),
    ).rejects.toThrow('boom');
  });

  it('rejects with the timeout error once the time is up, and aborts the work’s signal', async () => {
    let seen: AbortSignal | undefined;
    const started = Date.now();
    await expect(
      withDeadline(
        50,
        undefined,
        () => new Error('deadline passed'),
        (signal) => {
          seen = signal;
          return never(signal);
        },
      ),
    ).rejects.toThrow('deadline passed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(seen?.aborted).toBe(true);
  });

  it('rejects with the caller’s reason as soon as the caller aborts', async () => {
    const caller = new AbortController();
    const call = withDeadline(10_000, caller.signal, () => new Error('late'), never);
    const reason = new Error('caller gave up');
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('does not start the work when the caller has already aborted', async () => {
    const caller = new AbortController();
    caller.abort(new Error('too late'));
    const fn = jest.fn(() => Promise.resolve(1));
    await expect(withDeadline(1_000, caller.signal, () => new Error('late'), fn)).rejects.toThrow('too late');
    expect(fn).not.toHaveBeenCalled();
  });
});
