import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { ConductorDataSource } from './database/conductor-data-source';
import {
  CONDUCTOR_ASYNC_OPTIONS_TYPE,
  CONDUCTOR_OPTIONS,
  CONDUCTOR_OPTIONS_TYPE,
  ConductorConfigurableModule,
} from './conductor-module-definition';
import { Database } from './database/database';
import { DatabaseRegistry } from './database/database-registry';
import { RESOLVED_OPTIONS, getDatabaseToken } from './database/database-tokens';
import { buildTypeOrmOptions } from './database/typeorm-options.factory';
import { InvalidOptionsError } from './options/invalid-options.error';
import type { ResolvedConductorOptions } from './options/resolved-options.interface';
import { validateOptions } from './options/validate-options';
import { queueProviders } from './queue/queue.providers';
import { healthProviders } from './health/health.providers';
import { metricsProviders } from './metrics/metrics.providers';

/** `forRootAsync` options: the database keys are declared up front so every token exists before the factory runs. */
export type ConductorAsyncOptions = typeof CONDUCTOR_ASYNC_OPTIONS_TYPE & { databases?: readonly string[] };

@Module({})
class ConductorOptionsModule {}

/**
 * ConductorModule gives every database key its own named TypeORM connection, pool, policy and
 * `Database` handle, and the queue when `options.queue` is set. Global unless `isGlobal: false`.
 */
@Module({})
export class ConductorModule extends ConductorConfigurableModule {
  /** Configures Conductor from static options; they are validated at once, with errors naming the key and option. */
  static forRoot(options: typeof CONDUCTOR_OPTIONS_TYPE): DynamicModule {
    const { isGlobal: _isGlobal, ...rest } = options;
    const resolved = validateOptions(rest);
    return ConductorModule.assemble(super.forRoot(options), Object.keys(options.databases ?? {}), { resolved });
  }

  /** Configures Conductor from a factory; `databases` lists the keys the factory will return. */
  static forRootAsync(options: ConductorAsyncOptions): DynamicModule {
    const keys = options.databases;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new InvalidOptionsError('forRootAsync({ databases })', 'missing: list the database keys, e.g. Object.values(Db)');
    }
    const { databases: _databases, ...builderOptions } = options;
    return ConductorModule.assemble(super.forRootAsync(builderOptions), keys as readonly string[], {
      declared: keys as readonly string[],
    });
  }

  /**
   * `from.resolved`: static options, validated already (forRoot checks them at once and keeps the result).
   * `from.declared`: the keys a factory's options must have (forRootAsync validates when the factory returns).
   */
  private static assemble(
    base: DynamicModule,
    keys: readonly string[],
    from: { resolved: ResolvedConductorOptions } | { declared: readonly string[] },
  ): DynamicModule {
    // The options live in a module of their own, so each TypeORM connection can import them without a cycle.
    const optionsModule: DynamicModule = {
      module: ConductorOptionsModule,
      imports: base.imports ?? [],
      providers: [
        ...(base.providers ?? []),
        'resolved' in from
          ? { provide: RESOLVED_OPTIONS, useValue: from.resolved }
          : {
              provide: RESOLVED_OPTIONS,
              useFactory: (raw: unknown): ResolvedConductorOptions => validateOptions(stripExtras(raw), from.declared),
              inject: [CONDUCTOR_OPTIONS],
            },
      ],
      exports: [RESOLVED_OPTIONS],
    };
    const connections = keys.map((key) =>
      TypeOrmModule.forRootAsync({
        name: key,
        imports: [optionsModule],
        inject: [RESOLVED_OPTIONS],
        useFactory: (resolved: ResolvedConductorOptions) => buildTypeOrmOptions(resolved.databases.get(key)!),
        dataSourceFactory: async (typeOrmOptions?: DataSourceOptions) => new ConductorDataSource(typeOrmOptions!, key),
      }),
    );
    const databaseProviders: Provider[] = keys.map((key) => ({
      provide: getDatabaseToken(key),
      useFactory: (resolved: ResolvedConductorOptions, dataSource: DataSource) =>
        new Database(resolved.databases.get(key)!, dataSource),
      inject: [RESOLVED_OPTIONS, getDataSourceToken(key)],
    }));
    const registry: Provider = {
      provide: DatabaseRegistry,
      useFactory: (...databases: Database[]) => new DatabaseRegistry(databases),
      inject: keys.map(getDatabaseToken),
    };
    const queue = queueProviders();
    const [health, metrics] = [healthProviders(), metricsProviders()];
    return {
      module: ConductorModule,
      global: base.global,
      imports: [optionsModule, ...connections, ...queue.imports],
      providers: [...databaseProviders, registry, ...queue.providers, ...health.providers, ...metrics.providers],
      exports: [
        optionsModule,
        ...keys.map(getDatabaseToken),
        DatabaseRegistry,
        ...queue.exports,
        ...health.exports,
        ...metrics.exports,
      ],
    };
  }
}

/** `forRoot` passes `isGlobal` along with the options; it is not an option of ours. */
function stripExtras(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const { isGlobal: _isGlobal, ...rest } = raw as Record<string, unknown>;
  return rest;
}
