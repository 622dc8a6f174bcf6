import { databasesFromEnv, envPrefix } from './databases-from-env';
import { isInvalidOptionsError } from './invalid-options.error';

enum Db {
  Main = 'main',
  Reference = 'reference',
}

const MAIN_URL = 'postgres://app:pw@main.internal:5432/main';
const REF_URL = 'postgres://ref:pw@ref.internal:5432/reference';

function failure(keys: Record<string, string>, env: NodeJS.ProcessEnv): string {
  try {
    databasesFromEnv(keys, env);
  } catch (error) {
    expect(isInvalidOptionsError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected databasesFromEnv to throw');
}

describe('databasesFromEnv', () => {
  it('derives the variable prefix from the enum value', () => {
    expect(envPrefix('reference')).toBe('CONDUCTOR_REFERENCE_');
    expect(envPrefix('audit-log.v2')).toBe('CONDUCTOR_AUDIT_LOG_V2_');
  });

  it('reads CONDUCTOR_REFERENCE_URL for Db.Reference and every option of each key from its own variables', () => {
    const databases = databasesFromEnv(Db, {
      CONDUCTOR_MAIN_URL: MAIN_URL,
      CONDUCTOR_MAIN_POOL_MAX: '20',
      CONDUCTOR_MAIN_STATEMENT_TIMEOUT_MS: '5000',
      CONDUCTOR_REFERENCE_URL: REF_URL,
      CONDUCTOR_REFERENCE_POOL_MIN: '1',
      CONDUCTOR_REFERENCE_POOL_MAX: '3',
      CONDUCTOR_REFERENCE_IDLE_TIMEOUT_MS: '1000',
      CONDUCTOR_REFERENCE_ACQUIRE_TIMEOUT_MS: '2000',
      CONDUCTOR_REFERENCE_SLOW_QUERY_MS: '250',
      CONDUCTOR_REFERENCE_APPLICATION_NAME: 'ref-reader',
      CONDUCTOR_REFERENCE_SSL: 'no-verify',
      CONDUCTOR_REFERENCE_REPLICA_URLS: 'postgres://r1/reference, postgres://r2/reference',
    });
    expect(databases[Db.Main]).toEqual({ url: MAIN_URL, pool: { max: 20 }, statementTimeoutMs: 5000 });
    expect(databases[Db.Reference]).toEqual({
      url: REF_URL,
      pool: { min: 1, max: 3, idleTimeoutMs: 1000, acquireTimeoutMs: 2000 },
      slowQueryMs: 250,
      applicationName: 'ref-reader',
      ssl: 'no-verify',
      replicas: [{ url: 'postgres://r1/reference' }, { url: 'postgres://r2/reference' }],
    });
  });

  it("never falls back to another key's variables or to shared ones", () => {
    const env = {
      CONDUCTOR_MAIN_URL: MAIN_URL,
      CONDUCTOR_MAIN_POOL_MAX: '20',
      DATABASE_URL: MAIN_URL,
      PGHOST: 'shared.internal',
      CONDUCTOR_URL: MAIN_URL,
    };
    expect(failure(Db, env)).toMatch(/CONDUCTOR_REFERENCE_URL: missing/);
    const databases = databasesFromEnv(Db, { ...env, CONDUCTOR_REFERENCE_URL: REF_URL });
    expect(databases[Db.Reference]).toEqual({ url: REF_URL, pool: {} });
  });

  it('keeps keys that share a prefix apart', () => {
    const databases = databasesFromEnv(
      { Main: 'main', MainPool: 'main_pool' },
      {
        CONDUCTOR_MAIN_URL: MAIN_URL,
        CONDUCTOR_MAIN_POOL_URL: REF_URL,
        CONDUCTOR_MAIN_POOL_MAX: '7',
      },
    );
    expect(databases.main).toEqual({ url: MAIN_URL, pool: { max: 7 } });
    expect(databases.main_pool).toEqual({ url: REF_URL, pool: {} });
  });

  it('rejects two keys that map to the same variables', () => {
    expect(failure({ A: 'audit-log', B: 'audit_log' }, {})).toMatch(/CONDUCTOR_AUDIT_LOG_\*: keys "audit-log" and "audit_log"/);
  });

  it.each([
    ['a malformed URL', { CONDUCTOR_REFERENCE_URL: 'ref.internal:5432' }, /CONDUCTOR_REFERENCE_URL: /],
    ['a blank URL', { CONDUCTOR_REFERENCE_URL: '  ' }, /CONDUCTOR_REFERENCE_URL: missing/],
    [
      'a non-numeric pool size',
      { CONDUCTOR_REFERENCE_POOL_MAX: 'ten' },
      /CONDUCTOR_REFERENCE_POOL_MAX: expected a non-negative integer, got "ten"/,
    ],
    [
      'a negative pool size',
      { CONDUCTOR_REFERENCE_POOL_MIN: '-1' },
      /CONDUCTOR_REFERENCE_POOL_MIN: expected a non-negative integer/,
    ],
    [
      'a fractional timeout',
      { CONDUCTOR_REFERENCE_ACQUIRE_TIMEOUT_MS: '1.5' },
      /CONDUCTOR_REFERENCE_ACQUIRE_TIMEOUT_MS: expected/,
    ],
    ['a zero pool max', { CONDUCTOR_REFERENCE_POOL_MAX: '0' }, /CONDUCTOR_REFERENCE_POOL_MAX: expected an integer >= 1/],
    [
      'min > max',
      { CONDUCTOR_REFERENCE_POOL_MIN: '4', CONDUCTOR_REFERENCE_POOL_MAX: '2' },
      /CONDUCTOR_REFERENCE_POOL_MIN: min \(4\) is greater than CONDUCTOR_REFERENCE_POOL_MAX \(2\)/,
    ],
    ['a bad SSL value', { CONDUCTOR_REFERENCE_SSL: 'maybe' }, /CONDUCTOR_REFERENCE_SSL: expected/],
    [
      'a malformed replica URL',
      { CONDUCTOR_REFERENCE_REPLICA_URLS: 'postgres://r1/reference,nope' },
      /CONDUCTOR_REFERENCE_REPLICA_URLS: /,
    ],
  ])('rejects %s, naming the variable', (_what, vars, message) => {
    expect(failure(Db, { CONDUCTOR_MAIN_URL: MAIN_URL, CONDUCTOR_REFERENCE_URL: REF_URL, ...vars })).toMatch(message);
  });
});

describe('databasesFromEnv: prepared statements', () => {
  it('reads CONDUCTOR_<KEY>_PREPARED_STATEMENTS as a boolean and names it when malformed', () => {
    const env = { CONDUCTOR_MAIN_URL: 'postgres://u@h/db', CONDUCTOR_MAIN_PREPARED_STATEMENTS: 'false' };
    expect(databasesFromEnv({ Main: 'main' }, env).main.preparedStatements).toBe(false);
    expect(() => databasesFromEnv({ Main: 'main' }, { ...env, CONDUCTOR_MAIN_PREPARED_STATEMENTS: 'no' })).toThrow(
      /CONDUCTOR_MAIN_PREPARED_STATEMENTS: expected true or false, got "no"/,
    );
  });
});
