import { DEFAULT_RESILIENCE } from './defaults';
import type { DatabaseOptions } from './conductor-options.interface';
import { InvalidOptionsError } from './invalid-options.error';
import { validateDatabaseOptions } from './validate-database-options';

/** The variable suffix of each option that `databasesFromEnv` reads. */
const VARIABLES: Record<string, string> = {
  url: 'URL',
  'pool.min': 'POOL_MIN',
  'pool.max': 'POOL_MAX',
  'pool.idleTimeoutMs': 'IDLE_TIMEOUT_MS',
  'pool.acquireTimeoutMs': 'ACQUIRE_TIMEOUT_MS',
  statementTimeoutMs: 'STATEMENT_TIMEOUT_MS',
  slowQueryMs: 'SLOW_QUERY_MS',
  applicationName: 'APPLICATION_NAME',
  ssl: 'SSL',
  replicas: 'REPLICA_URLS',
  preparedStatements: 'PREPARED_STATEMENTS',
};

/** `Db.Reference = 'reference'` reads `CONDUCTOR_REFERENCE_*`: upper case, other characters than letters and digits as `_`. */
export function envPrefix(key: string): string {
  return `CONDUCTOR_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/**
 * Builds `options.databases` from the environment, one set of variables per key and never a shared
 * fallback: `CONDUCTOR_<KEY>_URL`, `_POOL_MIN`, `_POOL_MAX`, `_IDLE_TIMEOUT_MS`, `_ACQUIRE_TIMEOUT_MS`,
 * `_STATEMENT_TIMEOUT_MS`, `_SLOW_QUERY_MS`, `_APPLICATION_NAME`, `_SSL`, `_REPLICA_URLS` (comma separated),
 * `_PREPARED_STATEMENTS` (`true` or `false`).
 * A missing or malformed variable throws an error that names it.
 */
export function databasesFromEnv<E extends Record<string, string>>(
  keys: E,
  env: NodeJS.ProcessEnv = process.env,
): Record<E[keyof E], DatabaseOptions> {
  const result = {} as Record<string, DatabaseOptions>;
  // Checked for every key first: a clash is the real error, not the missing URL of the first key.
  const seen = new Map<string, string>();
  for (const key of Object.values(keys)) {
    const other = seen.get(envPrefix(key));
    if (other !== undefined) {
      throw new InvalidOptionsError(`${envPrefix(key)}*`, `keys "${other}" and "${key}" map to the same variables`);
    }
    seen.set(envPrefix(key), key);
  }
  for (const key of Object.values(keys)) {
    const prefix = envPrefix(key);
    const variable = (path: string): string => `${prefix}${VARIABLES[path] ?? path.toUpperCase()}`;
    const read = (path: string): string | undefined => {
      const value = env[variable(path)];
      return value === undefined || value.trim() === '' ? undefined : value.trim();
    };
    const integer = (path: string): number | undefined => {
      const value = read(path);
      if (value === undefined) return undefined;
      if (!/^\d+$/.test(value)) {
        throw new InvalidOptionsError(variable(path), `expected a non-negative integer, got ${JSON.stringify(value)}`);
      }
      return Number(value);
    };

    const url = read('url');
    if (url === undefined) throw new InvalidOptionsError(variable('url'), `missing: set it for the "${key}" database`);
    const pool = {
      min: integer('pool.min'),
      max: integer('pool.max'),
      idleTimeoutMs: integer('pool.idleTimeoutMs'),
      acquireTimeoutMs: integer('pool.acquireTimeoutMs'),
    };
    const replicaUrls = read('replicas');
    const prepared = read('preparedStatements');
    if (prepared !== undefined && prepared !== 'true' && prepared !== 'false') {
      throw new InvalidOptionsError(variable('preparedStatements'), `expected true or false, got ${JSON.stringify(prepared)}`);
    }
    const options: DatabaseOptions = {
      url,
      pool: Object.fromEntries(Object.entries(pool).filter(([, v]) => v !== undefined)),
      statementTimeoutMs: integer('statementTimeoutMs'),
      slowQueryMs: integer('slowQueryMs'),
      applicationName: read('applicationName'),
      ssl: read('ssl') as DatabaseOptions['ssl'],
      replicas: replicaUrls?.split(',').map((replica) => ({ url: replica.trim() })),
      preparedStatements: prepared === undefined ? undefined : prepared === 'true',
    };
    for (const field of Object.keys(options) as (keyof DatabaseOptions)[]) {
      if (options[field] === undefined) delete options[field];
    }
    // Validate now, so that an error names the variable rather than an option path.
    validateDatabaseOptions(key, options, DEFAULT_RESILIENCE, (path) =>
      variable(path.replace(/^replicas\.\d+\.url$/, 'replicas')),
    );
    result[key] = options;
  }
  return result as Record<E[keyof E], DatabaseOptions>;
}
