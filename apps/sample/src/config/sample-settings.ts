import { hostname } from 'node:os';
import type { QueueOptions, ResilienceOptions } from '@conductor/nestjs';

/** What the sample lets its runner tune; everything else is Conductor's defaults. */
export interface SampleSettings {
  /** Where `CONDUCTOR_<KEY>_*` variables are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The name this instance records on the confirmations it sends (default `<host>:<pid>`). */
  instance?: string;
  /** How long a simulated e-mail takes to send (default 50 ms). */
  mailLatencyMs?: number;
  /** On SIGTERM, how long `/health/ready` answers 503 before the drain starts, so load balancers notice (default 0). */
  shutdownDelayMs?: number;
  /** Conductor's resilience defaults for both databases. */
  resilience?: ResilienceOptions;
  /** Queue settings laid over the sample's own (the queue always lives in the main database). */
  queue?: Partial<Omit<QueueOptions, 'database'>>;
}

/** Reads `INSTANCE_NAME`, `MAIL_LATENCY_MS` and `SHUTDOWN_DELAY_MS` (the database variables are Conductor's own). */
export function sampleSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SampleSettings {
  return {
    env,
    instance: env.INSTANCE_NAME || `${hostname()}:${process.pid}`,
    mailLatencyMs: optionalInteger(env, 'MAIL_LATENCY_MS'),
    shutdownDelayMs: optionalInteger(env, 'SHUTDOWN_DELAY_MS'),
  };
}

function optionalInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${name}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}
