import type { Logger } from '@nestjs/common';
import { Client, type ClientConfig } from 'pg';
import { jitteredBackoff, raceAbort, sleep } from '../resilience/abortable';
import { quoteIdent } from './sql/sql-catalog';

const RECONNECT_MAX_DELAY_MS = 10_000;

/**
 * NotificationListener keeps the one dedicated LISTEN connection of the queue. It reconnects with
 * bounded, jittered backoff when the connection drops; meanwhile the worker carries on by polling.
 */
export class NotificationListener {
  private client?: Client;
  private loop?: Promise<void>;
  private readonly closing = new AbortController();

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onNotification: (payload: string) => void,
    private readonly logger: Logger,
  ) {}

  /** Connects and keeps reconnecting until `close()`. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.closing.abort(new Error('closing'));
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.closing.signal;
    for (let failures = 0; !signal.aborted;) {
      const client = new Client({ ...this.config, application_name: `${this.config.application_name ?? 'conductor'}:listen` });
      this.client = client;
      const ended = new Promise<unknown>((resolve) => {
        client.once('end', () => resolve(undefined));
        client.on('error', (error) => resolve(error));
      });
      try {
        // NOTE: raced against close(): pg's connect() never settles when end() is called while it runs,
        // and the loop (so the app's shutdown) would wait on it forever.
        await raceAbort(client.connect(), signal, settleLate);
        client.on('notification', (message) => this.onNotification(message.payload ?? ''));
        await raceAbort(client.query(`LISTEN ${quoteIdent(this.channel)}`), signal, settleLate);
        if (failures > 0) this.logger.log('LISTEN connection restored');
        failures = 0;
        // A notification may have been missed while disconnected: wake the worker once.
        this.onNotification('');
        const reason = await ended;
        if (signal.aborted) break;
        this.logger.warn(
          `LISTEN connection lost (${reason instanceof Error ? reason.message : 'ended'}); polling until it is back`,
        );
      } catch (error) {
        if (signal.aborted) break;
        if (failures === 0)
          this.logger.warn(
            `LISTEN connection failed (${error instanceof Error ? error.message : String(error)}); polling meanwhile`,
          );
      }
      await client.end().catch(() => undefined);
      failures++;
      await sleep(jitteredBackoff(failures, 200, RECONNECT_MAX_DELAY_MS), signal).catch(() => undefined);
    }
  }
}

/** A connect or LISTEN left behind by close(): its outcome no longer matters, and must not go unhandled. */
function settleLate(late: Promise<unknown>): void {
  late.catch(() => undefined);
}
