import type * as OpenTelemetryApi from '@opentelemetry/api';

/** The `@opentelemetry/api` module, typed; only this folder sees the type. */
export type OpenTelemetry = typeof OpenTelemetryApi;

/**
 * Loads `@opentelemetry/api` when the application has it installed, or returns undefined. It is an
 * optional peer: Conductor must load and run the same without it.
 */
export function loadOpenTelemetry(): OpenTelemetry | undefined {
  try {
    // NOTE: a guarded require, not an import, so a missing package is not an error at load time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/api') as OpenTelemetry;
  } catch {
    return undefined;
  }
}
