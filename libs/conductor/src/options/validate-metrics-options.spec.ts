import { Registry } from 'prom-client';
import { validateMetricsOptions } from './validate-metrics-options';

describe('validateMetricsOptions', () => {
  it('defaults to the conductor_ prefix and no registry', () => {
    expect(validateMetricsOptions(undefined)).toEqual({ prefix: 'conductor_' });
  });

  it('keeps a registry and a valid prefix', () => {
    const registry = new Registry();
    expect(validateMetricsOptions({ registry, prefix: 'app_conductor_' })).toEqual({ registry, prefix: 'app_conductor_' });
  });

  it('rejects a prefix Prometheus would not accept, an unknown key and a registry of the wrong shape', () => {
    expect(() => validateMetricsOptions({ prefix: '9x' })).toThrow(/metrics\.prefix/);
    expect(() => validateMetricsOptions({ prefix: 'a-b' })).toThrow(/metrics\.prefix/);
    expect(() => validateMetricsOptions({ regsitry: new Registry() })).toThrow(/metrics\.regsitry.*unknown option/);
    expect(() => validateMetricsOptions({ registry: {} })).toThrow(/metrics\.registry.*prom-client Registry/);
  });
});
