import { DEFAULT_RESILIENCE } from '../options/defaults';
import type { ResolvedResilience } from '../options/resolved-options.interface';
import { CallTimeoutError } from './call-timeout.error';
import { ResiliencePolicy } from './resilience-policy';

const HALF_OPEN_AFTER_MS = 50;
/**
 * For tests whose last call must still find the breaker open after a trial failed: with 50 ms, a slow
 * turn of the loop on a loaded machine let that call in as a new trial (seen in fresh-clone CI runs).
 */
const SLOW_HALF_OPEN_AFTER_MS = 400;

function policy(overrides: Partial<ResolvedResilience> = {}, concurrency = 4): ResiliencePolicy {
  const settings: ResolvedResilience = {
    ...DEFAULT_RESILIENCE,
    breaker: { consecutiveFailures: 2, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
    ...overrides,
  };
  return new ResiliencePolicy('main', '127.0.0.1:5432/main', settings, concurrency);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Work that hangs until its signal aborts, then fails as a transaction whose connection was released does. */
function hangsThenTerminates(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => setTimeout(() => reject(new Error('Connection terminated')), 5), { once: true }),
  );
}

/** A call of work that hangs, aborted by its caller with `message`; resolves once the call has rejected with it. */
async function abortedByCaller(calls: ResiliencePolicy, message: string): Promise<void> {
  const caller = new AbortController();
  const call = calls.execute(hangsThenTerminates, { signal: caller.signal });
  caller.abort(new Error(message));
  await expect(call).rejects.toThrow(message);
}

/** A promise the test opens when it chooses. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  return { opened: new Promise<void>((resolve) => (open = resolve)), open };
}

const refused = (): Promise<never> => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

/** A policy whose breaker was opened by two refused connections and is due for its half-open trial. */
async function opened(concurrency = 4, halfOpenAfterMs = HALF_OPEN_AFTER_MS): Promise<ResiliencePolicy> {
  const calls = policy(
    { retry: { ...DEFAULT_RESILIENCE.retry, maxAttempts: 1 }, breaker: { consecutiveFailures: 2, halfOpenAfterMs } },
    concurrency,
  );
  await expect(calls.execute(refused)).rejects.toThrow();
  await expect(calls.execute(refused)).rejects.toThrow();
  expect(calls.breakerState).toBe('open');
  await pause(halfOpenAfterMs + 20);
  return calls;
}

describe('ResiliencePolicy', () => {
  it('never counts a call ended by its deadline against the breaker, whatever the work throws afterwards', async () => {
    const calls = policy();
    for (let i = 0; i < 4; i++) {
      await expect(calls.execute(hangsThenTerminates, { timeoutMs: 20 })).rejects.toBeInstanceOf(CallTimeoutError);
      // Let the work's late error reach cockatiel.
      await pause(20);
    }
    expect(calls.breakerState).toBe('closed');
  });

  it('never counts a call ended by its caller against the breaker', async () => {
    const calls = policy();
    for (let i = 0; i < 4; i++) {
      await abortedByCaller(calls, 'caller gave up');
      await pause(20);
    }
    expect(calls.breakerState).toBe('closed');
  });

  it('reopens the breaker when its half-open trial call ends at its deadline', async () => {
    const calls = await opened(4, SLOW_HALF_OPEN_AFTER_MS);
    await expect(calls.execute(hangsThenTerminates, { timeoutMs: 20 })).rejects.toBeInstanceOf(CallTimeoutError);
    await pause(20);
    // A hung database must not get full traffic back.
    expect(calls.breakerState).toBe('open');
    await expect(calls.execute(refused)).rejects.toThrow('last failure: half-open trial call timed out');
  });

  it('lets another database’s timeout inside a half-open trial say nothing of this one', async () => {
    const calls = await opened();
    const other = new CallTimeoutError('reference', 10);
    await expect(calls.execute(() => Promise.reject(other))).rejects.toBe(other);
    expect(calls.breakerState).toBe('closed');
  });

  it('reopens the breaker when its half-open trial call is aborted by its caller', async () => {
    // The health check's probe is bounded by the check's signal, not by a deadline of its own.
    const calls = await opened();
    await abortedByCaller(calls, 'health check timed out');
    await pause(20);
    expect(calls.breakerState).toBe('open');
  });

  it('reopens the breaker when its half-open trial call waits for a connection past its deadline', async () => {
    const halfOpenAfterMs = SLOW_HALF_OPEN_AFTER_MS;
    const calls = policy(
      { retry: { ...DEFAULT_RESILIENCE.retry, maxAttempts: 1 }, breaker: { consecutiveFailures: 2, halfOpenAfterMs } },
      2,
    );
    const [first, second, third] = [gate(), gate(), gate()];
    await expect(calls.execute(refused)).rejects.toThrow();
    // Both connections busy and one call queued, all admitted while the breaker was closed.
    const holding = calls.execute(() => first.opened, { timeoutMs: 5_000 });
    const failing = calls.execute(() => second.opened.then(refused), { timeoutMs: 5_000 });
    const queued = calls.execute(() => third.opened, { timeoutMs: 5_000 });
    second.open();
    await expect(failing).rejects.toThrow('ECONNREFUSED');
    expect(calls.breakerState).toBe('open');
    await pause(halfOpenAfterMs + 20);
    // The trial queues for a connection and its deadline passes while it waits.
    await expect(calls.execute(() => Promise.resolve('trial ran'), { timeoutMs: 20 })).rejects.toBeInstanceOf(CallTimeoutError);
    first.open();
    third.open();
    await Promise.all([holding, queued]);
    await pause(20);
    // The trial never reached the database: it proves nothing, so the breaker may not close on it.
    expect(calls.breakerState).toBe('open');
    await expect(calls.execute(refused)).rejects.toThrow(
      'last failure: half-open trial call ended while waiting for a connection',
    );
  });

  it('retries a transient failure through the retry layer: each attempt once, numbered in order', async () => {
    const calls = policy({
      retry: { ...DEFAULT_RESILIENCE.retry, maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 5 },
      breaker: { consecutiveFailures: 10, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
    });
    const retries: number[] = [];
    calls.listen({ onRetry: (event) => retries.push(event.attempt) });
    const attempts: number[] = [];
    const failTwice = (_: AbortSignal, attempt: number): Promise<string> => {
      attempts.push(attempt);
      return attempt < 2 ? refused() : Promise.resolve('third time');
    };
    await expect(calls.execute(failTwice)).resolves.toBe('third time');
    expect(attempts).toEqual([0, 1, 2]);
    expect(retries).toEqual([1, 2]);

    attempts.length = 0;
    retries.length = 0;
    await expect(calls.execute((_, attempt) => (attempts.push(attempt), refused()))).rejects.toThrow('retries exhausted');
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(retries).toEqual([1, 2, 3]);

    attempts.length = 0;
    retries.length = 0;
    await expect(calls.execute((_, attempt) => (attempts.push(attempt), Promise.resolve(attempt)))).resolves.toBe(0);
    const syntax = Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601', severity: 'ERROR' });
    await expect(calls.execute((_, attempt) => (attempts.push(attempt), Promise.reject(syntax)))).rejects.toThrow('SELEC');
    expect(attempts).toEqual([0, 0]);
    expect(retries).toEqual([]);
    calls.close();
  });
});
