import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { sampleSettingsFromEnv } from './config/sample-settings';
import type { EmbeddedPostgres } from './embedded-postgres';
import { provideLocalDatabases } from './local-databases';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The running sample: its HTTP port, and the embedded server when it started one. */
export interface RunningSample {
  port: number;
  embedded?: EmbeddedPostgres;
}

/**
 * Starts the sample: an embedded PostgreSQL unless every `CONDUCTOR_<KEY>_URL` is set, the app on `PORT`
 * (default 3000), and a graceful close on SIGINT/SIGTERM/SIGHUP.
 */
export async function bootstrap(): Promise<RunningSample> {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const embedded = await provideLocalDatabases();
  // NOTE: embedded-postgres stops its server on any of these signals by itself, at once, which would
  // pull the database from under the drain; closeOnSignal stops it after the app has closed instead.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.includes(listener)) process.off(signal, listener);
  }

  const port = Number(process.env.PORT ?? 3000);
  const app = await NestFactory.create(AppModule.forRoot(sampleSettingsFromEnv()));
  closeOnSignal(app, embedded);
  await app.listen(port);

  return { port, embedded };
}

/**
 * Closes the app on SIGINT/SIGTERM/SIGHUP: `/health/ready` turns 503, the queue stops fetching and lets
 * running handlers finish, connections close; then the embedded server stops and the process exits 0.
 * It does what `app.enableShutdownHooks()` does (`app.close(signal)` runs the same hooks) plus stopping
 * the embedded server, which Nest's own handler would skip: it ends the process as soon as the app is closed.
 */
function closeOnSignal(app: INestApplication, embedded: EmbeddedPostgres | undefined): void {
  let closing = false;
  const close = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    console.log(`${signal} received: draining`);
    let code = 0;
    try {
      // The signal reaches the shutdown hooks (Terminus' SIGTERM delay needs it); the interface omits the parameter.
      await (app.close as (signal?: string) => Promise<void>).call(app, signal);
    } catch (error) {
      console.error('error while closing the app', error);
      code = 1;
    }
    await embedded?.stop().catch((error: unknown) => console.error('error while stopping the embedded server', error));
    console.log('stopped');
    process.exit(code);
  };
  for (const signal of SIGNALS) process.on(signal, (s) => void close(s));
}
