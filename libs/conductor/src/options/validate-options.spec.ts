import { isInvalidOptionsError } from './invalid-options.error';
import { validateOptions } from './validate-options';

const URL_MAIN = 'postgres://app:secret@db.internal:5433/main';

/** The message `validateOptions` throws for `options`, or fails the test when it does not throw. */
function failure(options: unknown, declared?: string[]): string {
  try {
    validateOptions(options, declared);
  } catch (error) {
    expect(isInvalidOptionsError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected validateOptions to throw');
}

describe('validateOptions', () => {
  it('fills in defaults and parses the URL of each key on its own', () => {
    const resolved = validateOptions({
      databases: {
        main: { url: URL_MAIN, pool: { max: 20 } },
        reference: { url: 'postgresql://ref@replica.internal/reference', pool: { min: 1, max: 3 } },
      },
    });
    const main = resolved.databases.get('main')!;
    const reference = resolved.databases.get('reference')!;
    expect(main.primary).toMatchObject({ host: 'db.internal', port: 5433, user: 'app', password: 'secret', database: 'main' });
    expect(reference.primary).toMatchObject({ host: 'replica.internal', port: 5432, user: 'ref', database: 'reference' });
    expect(main.pool).toEqual({ min: 0, max: 20, idleTimeoutMs: 10_000, acquireTimeoutMs: 10_000 });
    expect(reference.pool.max).toBe(3);
    expect(reference.applicationName).toBe('conductor:reference');
    expect(main.preparedStatements).toBe(true);
  });

  it('lets a database override the resilience defaults for itself only', () => {
    const resolved = validateOptions({
      resilience: { retry: { maxAttempts: 6 } },
      databases: { main: { url: URL_MAIN }, reference: { url: URL_MAIN, resilience: { breaker: { consecutiveFailures: 2 } } } },
    });
    expect(resolved.databases.get('main')!.resilience.breaker.consecutiveFailures).toBe(5);
    expect(resolved.databases.get('reference')!.resilience.breaker.consecutiveFailures).toBe(2);
    expect(resolved.databases.get('reference')!.resilience.retry.maxAttempts).toBe(6);
  });

  it.each([
    ['a missing URL', { reference: {} }, /databases\.reference\.url: missing/],
    ['no options at all', { reference: undefined }, /databases\.reference\.url: missing/],
    ['a malformed URL', { reference: { url: 'not a url' } }, /databases\.reference\.url: not a valid URL/],
    ['a URL of another scheme', { reference: { url: 'mysql://h/db' } }, /databases\.reference\.url: expected a postgres:\/\//],
    [
      'a URL without a database',
      { reference: { url: 'postgres://h:5432' } },
      /databases\.reference\.url: the URL names no database/,
    ],
    ['an unknown option', { reference: { url: URL_MAIN, poolSize: 3 } }, /databases\.reference\.poolSize: unknown option/],
    [
      'an unknown pool option',
      { reference: { url: URL_MAIN, pool: { maxSize: 3 } } },
      /databases\.reference\.pool\.maxSize: unknown option/,
    ],
    [
      'a non-numeric pool size',
      { reference: { url: URL_MAIN, pool: { max: 'ten' } } },
      /databases\.reference\.pool\.max: expected an integer/,
    ],
    [
      'a negative pool size',
      { reference: { url: URL_MAIN, pool: { min: -1 } } },
      /databases\.reference\.pool\.min: expected an integer >= 0/,
    ],
    [
      'a zero pool max',
      { reference: { url: URL_MAIN, pool: { max: 0 } } },
      /databases\.reference\.pool\.max: expected an integer >= 1/,
    ],
    [
      'min > max',
      { reference: { url: URL_MAIN, pool: { min: 5, max: 2 } } },
      /databases\.reference\.pool\.min: min \(5\) is greater than databases\.reference\.pool\.max \(2\)/,
    ],
    ['a bad ssl value', { reference: { url: URL_MAIN, ssl: 'sometimes' } }, /databases\.reference\.ssl: expected true, false/],
    [
      'a replica without url',
      { reference: { url: URL_MAIN, replicas: [{}] } },
      /databases\.reference\.replicas\.0\.url: missing/,
    ],
    [
      'a malformed replica URL',
      { reference: { url: URL_MAIN, replicas: [{ url: 'x' }] } },
      /databases\.reference\.replicas\.0\.url: not a valid URL/,
    ],
    [
      'a bad resilience override',
      { reference: { url: URL_MAIN, resilience: { retry: { maxAttempts: 0 } } } },
      /databases\.reference\.resilience\.retry\.maxAttempts/,
    ],
    [
      'a bad failFast',
      { reference: { url: URL_MAIN, failFast: 'yes' } },
      /databases\.reference\.failFast: expected true or false/,
    ],
    [
      'a bad preparedStatements',
      { reference: { url: URL_MAIN, preparedStatements: 'off' } },
      /databases\.reference\.preparedStatements: expected true or false/,
    ],
  ])('rejects %s, naming the key and the option', (_what, databases, message) => {
    expect(failure({ databases: { main: { url: URL_MAIN }, ...databases } })).toMatch(message);
  });

  it('rejects a timer-backed option a Node timer cannot hold, naming it', () => {
    const tooLong = 2 ** 31;
    const cases: [unknown, RegExp][] = [
      [
        { url: URL_MAIN, pool: { acquireTimeoutMs: tooLong } },
        /databases\.main\.pool\.acquireTimeoutMs: expected an integer between 1 and 2147483647/,
      ],
      [
        { url: URL_MAIN, resilience: { retry: { maxDelayMs: tooLong } } },
        /databases\.main\.resilience\.retry\.maxDelayMs: expected an integer between 0 and 2147483647/,
      ],
      [
        { url: URL_MAIN, resilience: { breaker: { halfOpenAfterMs: tooLong } } },
        /databases\.main\.resilience\.breaker\.halfOpenAfterMs: expected an integer between 1/,
      ],
    ];
    for (const [main, message] of cases) expect(failure({ databases: { main } })).toMatch(message);
    const queue = (options: object): string =>
      failure({ databases: { main: { url: URL_MAIN } }, queue: { database: 'main', ...options } });
    expect(queue({ shutdownGraceMs: tooLong })).toMatch(/queue\.shutdownGraceMs: expected an integer between 1 and 2147483647/);
    expect(queue({ completionFlushMs: tooLong })).toMatch(
      /queue\.completionFlushMs: expected an integer between 0 and 2147483647/,
    );
    expect(queue({ backoff: { maxDelayMs: tooLong } })).toMatch(/queue\.backoff\.maxDelayMs: expected an integer between 0/);
  });

  it('rejects a port out of range in a URL', () => {
    expect(failure({ databases: { main: { url: 'postgres://h:0/db' } } })).toMatch(/databases\.main\.url: .*port/);
  });

  it('rejects an empty or missing databases record, and unknown top-level options', () => {
    expect(failure({ databases: {} })).toMatch(/databases: missing/);
    expect(failure(undefined)).toMatch(/options: missing/);
    expect(failure({ databases: { main: { url: URL_MAIN } }, retries: 3 })).toMatch(/retries: unknown option/);
  });

  it('checks the keys a forRootAsync factory returns against those declared', () => {
    expect(failure({ databases: { main: { url: URL_MAIN } } }, ['main', 'reference'])).toMatch(
      /databases\.reference: declared in forRootAsync but not returned/,
    );
    expect(failure({ databases: { main: { url: URL_MAIN }, extra: { url: URL_MAIN } } }, ['main'])).toMatch(
      /databases\.extra: returned by the factory but not declared/,
    );
  });
});
