import type { ConductorModuleOptions } from './conductor-options.interface';
import { DEFAULT_RESILIENCE } from './defaults';
import { InvalidOptionsError } from './invalid-options.error';
import { checkKnownKeys, checkObject } from './option-checks';
import type { ResolvedConductorOptions, ResolvedDatabaseOptions } from './resolved-options.interface';
import { validateDatabaseOptions } from './validate-database-options';
import { validateMetricsOptions } from './validate-metrics-options';
import { validateQueueOptions } from './validate-queue-options';
import { resolveResilience } from './validate-resilience-options';

/**
 * Validates the module options and fills in defaults. With `declaredKeys` (from `forRootAsync`), the
 * factory's databases must be exactly those keys.
 */
export function validateOptions(raw: unknown, declaredKeys?: readonly string[]): ResolvedConductorOptions {
  if (raw === undefined || raw === null) throw new InvalidOptionsError('options', 'missing: pass { databases: { ... } }');
  checkObject(raw, 'options');
  const options = raw as unknown as ConductorModuleOptions;
  checkKnownKeys(options, ['databases', 'resilience', 'queue', 'metrics'], (path) => path);
  checkObject(options.databases, 'databases');
  const keys = Object.keys(options.databases ?? {});
  if (keys.length === 0) throw new InvalidOptionsError('databases', 'missing: declare at least one database');
  if (declaredKeys) {
    for (const key of declaredKeys) {
      if (!keys.includes(key))
        throw new InvalidOptionsError(`databases.${key}`, 'declared in forRootAsync but not returned by the factory');
    }
    for (const key of keys) {
      if (!declaredKeys.includes(key)) {
        throw new InvalidOptionsError(
          `databases.${key}`,
          'returned by the factory but not declared in forRootAsync({ databases })',
        );
      }
    }
  }

  const defaults = resolveResilience(options.resilience, DEFAULT_RESILIENCE, (path) => `resilience.${path}`);
  const databases = new Map<string, ResolvedDatabaseOptions>();
  for (const key of keys) {
    const value = (options.databases as Record<string, unknown>)[key];
    databases.set(
      key,
      validateDatabaseOptions(key, value, defaults, (path) => `databases.${key}${path ? `.${path}` : ''}`),
    );
  }
  const queue = options.queue === undefined ? null : validateQueueOptions(options.queue, keys);
  const metrics = validateMetricsOptions(options.metrics);
  return { databases, queue, metrics };
}
