import type { DataSourceOptions } from 'typeorm';
import type { ResolvedConnection, ResolvedDatabaseOptions } from '../options/resolved-options.interface';

type Credentials = {
  host: string;
  port: number;
  username: string;
  password?: string;
  database: string;
  ssl: ResolvedConnection['ssl'] | boolean;
};

function credentials(connection: ResolvedConnection): Credentials {
  return {
    host: connection.host,
    port: connection.port,
    username: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: connection.ssl,
  };
}

/** The pg pool settings of one key: its own size, timeouts and session parameters, never another key's. */
export function poolSettings(options: ResolvedDatabaseOptions): Record<string, unknown> {
  return {
    max: options.pool.max,
    min: options.pool.min,
    idleTimeoutMillis: options.pool.idleTimeoutMs,
    connectionTimeoutMillis: options.pool.acquireTimeoutMs,
    application_name: options.applicationName,
    ...(options.statementTimeoutMs !== undefined ? { statement_timeout: options.statementTimeoutMs } : {}),
  };
}

/**
 * TypeORM options of one named connection. The DataSource is created uninitialized
 * (`manualInitialization`): the `Database` connects it, in the background unless `failFast`.
 */
export function buildTypeOrmOptions(options: ResolvedDatabaseOptions): DataSourceOptions & Record<string, unknown> {
  const replication =
    options.replicas.length > 0
      ? { replication: { master: credentials(options.primary), slaves: options.replicas.map(credentials) } }
      : credentials(options.primary);
  return {
    type: 'postgres',
    name: options.key,
    ...replication,
    applicationName: options.applicationName,
    poolSize: options.pool.max,
    connectTimeoutMS: options.pool.acquireTimeoutMs,
    extra: poolSettings(options),
    entities: options.entities,
    autoLoadEntities: options.autoLoadEntities,
    manualInitialization: true,
    // Nest's own retry loop would block startup; the Database reconnects in the background instead.
    retryAttempts: 0,
    ...options.typeorm,
  } as DataSourceOptions & Record<string, unknown>;
}
