import { getEventListeners } from 'node:events';
import { DeadlineClock } from './deadline-clock';

/** Work that ends only when its signal aborts, and then with its own error (which the clock must not pass on). */
const hang = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('work saw the abort'))));

/** Timers keeping the event loop alive now. */
const liveTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

const late = (what: string) => () => new Error(`${what} timed out`);

describe('DeadlineClock', () => {
  let clock: DeadlineClock;
  beforeEach(() => (clock = new DeadlineClock()));
  afterEach(() => clock.close());

  it('settles with the work when it finishes in time, leaving its signal alone', async () => {
    let seen: AbortSignal | undefined;
    const value = await clock.run(1_000, undefined, late('call'), (signal) => {
      seen = signal;
      return Promise.resolve(42);
    });
    expect(value).toBe(42);
    expect(seen?.aborted).toBe(false);
  });

  it('passes the work’s own failure through, thrown or rejected', async () => {
    await expect(clock.run(1_000, undefined, late('call'), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      clock.run(1_000, undefined, late('call'), () => {
        throw new Error('thrown before any promise');
      }),
    ).rejects.toThrow('thrown before any promise');
  });

  it('rejects with the timeout error once the time is up, and aborts the work’s signal with it', async () => {
    let seen: AbortSignal | undefined;
    const started = performance.now();
    await expect(
      clock.run(50, undefined, late('call'), (signal) => {
        seen = signal;
        return hang(signal);
      }),
    ).rejects.toThrow('call timed out');
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
    expect((seen?.reason as Error).message).toBe('call timed out');
  });

  it('ends each call of one timeout at its own deadline, the oldest first', async () => {
    const ended: Array<{ name: string; at: number }> = [];
    const started = performance.now();
    const call = (name: string): Promise<void> =>
      clock.run(100, undefined, late(name), hang).catch(() => void ended.push({ name, at: performance.now() - started }));
    const first = call('first');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const second = call('second');
    await Promise.all([first, second]);
    expect(ended.map((e) => e.name)).toEqual(['first', 'second']);
    expect(ended[0].at).toBeGreaterThanOrEqual(99);
    expect(ended[0].at).toBeLessThan(150);
    // Not taken along when the first expired: the timer was armed again for the second's own deadline.
    expect(ended[1].at).toBeGreaterThanOrEqual(159);
  });

  it('does not let a settled call cut short the next one, nor expire early', async () => {
    await clock.run(80, undefined, late('quick'), () => Promise.resolve('done'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    const started = performance.now();
    let seen: AbortSignal | undefined;
    const next = clock.run(80, undefined, late('next'), (signal) => {
      seen = signal;
      return new Promise((resolve) => setTimeout(() => resolve('in time'), 60));
    });
    // The timer armed for the settled call fires about 40 ms into this one: it must leave it running.
    await expect(next).resolves.toBe('in time');
    expect(seen?.aborted).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(59);
  });

  it('keeps a lane per timeout, so a short call started after a long one ends first', async () => {
    const ended: string[] = [];
    const long = clock.run(300, undefined, late('long'), hang).catch(() => void ended.push('long'));
    const short = clock.run(30, undefined, late('short'), hang).catch(() => void ended.push('short'));
    await Promise.all([long, short]);
    expect(ended).toEqual(['short', 'long']);
  });

  it('rejects with the caller’s reason as soon as the caller aborts, leaving the other calls running', async () => {
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const aborted = clock.run(10_000, caller.signal, late('aborted'), (signal) => {
      seen = signal;
      return hang(signal);
    });
    const other = clock.run(
      10_000,
      undefined,
      late('other'),
      () => new Promise((resolve) => setTimeout(() => resolve('other'), 30)),
    );
    const reason = new Error('caller gave up');
    caller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(seen?.reason).toBe(reason);
    await expect(other).resolves.toBe('other');
  });

  it('lets go of the caller’s signal when a call expires, even if its work never settles', async () => {
    const caller = new AbortController();
    await expect(clock.run(20, caller.signal, late('call'), () => new Promise(() => undefined))).rejects.toThrow(
      'call timed out',
    );
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('does not start the work when the caller has already aborted', async () => {
    const caller = new AbortController();
    caller.abort(new Error('too late'));
    const fn = jest.fn(() => Promise.resolve(1));
    await expect(clock.run(1_000, caller.signal, late('call'), fn)).rejects.toThrow('too late');
    expect(fn).not.toHaveBeenCalled();
  });

  it('holds the process open only while calls wait, and close() clears its timers', async () => {
    const before = liveTimers();
    let finish!: () => void;
    const running = clock.run(5_000, undefined, late('call'), () => new Promise<void>((resolve) => (finish = resolve)));
    expect(liveTimers()).toBe(before + 1);
    finish();
    await running;
    // Still armed for the settled call (re-arming per call is what the clock saves), but no longer holding the process.
    expect(liveTimers()).toBe(before);
    const again = clock.run(5_000, undefined, late('again'), hang);
    expect(liveTimers()).toBe(before + 1);
    clock.close();
    expect(liveTimers()).toBe(before);
    // Closed: the call keeps running, and only its caller could still end it.
    await expect(Promise.race([again, new Promise((resolve) => setTimeout(() => resolve('still running'), 30))])).resolves.toBe(
      'still running',
    );
  });
});
