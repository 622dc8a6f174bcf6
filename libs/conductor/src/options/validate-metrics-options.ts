import type { MetricsOptions } from './conductor-options.interface';
import { InvalidOptionsError } from './invalid-options.error';
import { checkKnownKeys, checkObject, checkString } from './option-checks';
import type { ResolvedMetricsOptions } from './resolved-options.interface';

/** Prometheus metric names: letters, digits, `_` and `:`, not starting with a digit. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Validates `options.metrics` and fills in the default prefix. */
export function validateMetricsOptions(raw: unknown): ResolvedMetricsOptions {
  if (raw === undefined) return { prefix: 'conductor_' };
  checkObject(raw, 'metrics');
  const options = raw as MetricsOptions;
  checkKnownKeys(options, ['registry', 'prefix'], (path) => `metrics.${path}`);
  checkString(options.prefix, 'metrics.prefix');
  const prefix = options.prefix ?? 'conductor_';
  if (!METRIC_NAME.test(prefix)) {
    throw new InvalidOptionsError(
      'metrics.prefix',
      `expected letters, digits, "_" or ":" (not starting with a digit), got "${prefix}"`,
    );
  }
  // NOTE: checked by shape, not instanceof: the app may load its own copy of prom-client.
  const registry = options.registry as { registerMetric?: unknown; metrics?: unknown } | undefined;
  if (registry !== undefined && (typeof registry?.registerMetric !== 'function' || typeof registry.metrics !== 'function')) {
    throw new InvalidOptionsError(
      'metrics.registry',
      'expected a prom-client Registry (new Registry() or the default `register`)',
    );
  }
  return { registry: options.registry, prefix };
}
