import { MAX_TIMER_MS } from '../resilience/check-call-timeout';
import type { DatabaseOptions, ResilienceOptions } from './conductor-options.interface';
import { DEFAULT_POOL, DEFAULT_SLOW_QUERY_MS } from './defaults';
import { InvalidOptionsError } from './invalid-options.error';
import { checkBoolean, checkInteger, checkKnownKeys, checkObject, checkString, type OptionNamer } from './option-checks';
import { connectionFromParts, normalizeSsl, parseConnectionUrl } from './parse-connection';
import type { ResolvedDatabaseOptions, ResolvedResilience } from './resolved-options.interface';
import { resolveResilience } from './validate-resilience-options';

const DATABASE_KEYS = [
  'url',
  'host',
  'port',
  'user',
  'password',
  'database',
  'pool',
  'statementTimeoutMs',
  'slowQueryMs',
  'applicationName',
  'preparedStatements',
  'ssl',
  'replicas',
  'resilience',
  'failFast',
  'entities',
  'autoLoadEntities',
  'typeorm',
] as const;
const POOL_KEYS = ['min', 'max', 'idleTimeoutMs', 'acquireTimeoutMs'] as const;

/** Validates one database's options and fills in defaults; `name` turns an option path into what the user wrote. */
export function validateDatabaseOptions(
  key: string,
  raw: unknown,
  defaults: ResolvedResilience,
  name: OptionNamer,
): ResolvedDatabaseOptions {
  if (raw === undefined || raw === null) throw new InvalidOptionsError(name('url'), 'missing: no options for this database');
  checkObject(raw, name(''));
  const options = raw as DatabaseOptions;
  checkKnownKeys(options, DATABASE_KEYS, name);

  checkString(options.url, name('url'));
  checkString(options.host, name('host'));
  checkString(options.database, name('database'));
  checkString(options.user, name('user'));
  checkInteger(options.port, name('port'), 1, 65_535);
  const primary = options.url ? parseConnectionUrl(options.url, name('url')) : connectionFromParts(options, name);
  if (options.ssl !== undefined) primary.ssl = normalizeSsl(options.ssl, name('ssl'));

  checkObject(options.pool, name('pool'));
  const pool = { ...DEFAULT_POOL, ...(options.pool ?? {}) };
  if (options.pool) checkKnownKeys(options.pool, POOL_KEYS, name, 'pool.');
  checkInteger(pool.min, name('pool.min'), 0);
  checkInteger(pool.max, name('pool.max'), 1);
  // Both feed pg-pool timers, and a Node timer longer than MAX_TIMER_MS fires at once.
  checkInteger(pool.idleTimeoutMs, name('pool.idleTimeoutMs'), 0, MAX_TIMER_MS);
  checkInteger(pool.acquireTimeoutMs, name('pool.acquireTimeoutMs'), 1, MAX_TIMER_MS);
  if (pool.min > pool.max) {
    throw new InvalidOptionsError(name('pool.min'), `min (${pool.min}) is greater than ${name('pool.max')} (${pool.max})`);
  }

  // PostgreSQL refuses a statement_timeout above the same ceiling, failing every connection.
  checkInteger(options.statementTimeoutMs, name('statementTimeoutMs'), 0, MAX_TIMER_MS);
  checkInteger(options.slowQueryMs, name('slowQueryMs'), 0);
  checkString(options.applicationName, name('applicationName'));
  checkBoolean(options.failFast, name('failFast'));
  checkBoolean(options.preparedStatements, name('preparedStatements'));
  checkBoolean(options.autoLoadEntities, name('autoLoadEntities'));
  checkObject(options.typeorm, name('typeorm'));
  if (options.entities !== undefined && !Array.isArray(options.entities)) {
    throw new InvalidOptionsError(name('entities'), 'expected an array of entity classes or schemas');
  }

  if (options.replicas !== undefined && !Array.isArray(options.replicas)) {
    throw new InvalidOptionsError(name('replicas'), 'expected an array of { url }');
  }
  const replicas = (options.replicas ?? []).map((replica, index) => {
    const option = name(`replicas.${index}.url`);
    if (typeof replica !== 'object' || replica === null || typeof replica.url !== 'string') {
      throw new InvalidOptionsError(option, 'missing: each replica needs a url');
    }
    const connection = parseConnectionUrl(replica.url, option);
    if (options.ssl !== undefined) connection.ssl = primary.ssl;
    return connection;
  });

  return {
    key,
    primary,
    replicas,
    pool,
    statementTimeoutMs: options.statementTimeoutMs,
    slowQueryMs: options.slowQueryMs ?? DEFAULT_SLOW_QUERY_MS,
    applicationName: options.applicationName ?? `conductor:${key}`,
    preparedStatements: options.preparedStatements ?? true,
    resilience: resolveResilience(options.resilience as ResilienceOptions | undefined, defaults, (p) => name(`resilience.${p}`)),
    failFast: options.failFast ?? false,
    entities: options.entities ?? [],
    autoLoadEntities: options.autoLoadEntities ?? true,
    typeorm: options.typeorm ?? {},
  };
}
