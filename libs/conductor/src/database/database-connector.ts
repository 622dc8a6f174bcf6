import type { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { ResolvedDatabaseOptions } from '../options/resolved-options.interface';
import { classifyError } from '../resilience/classify-error';
import type { PostgresDriverPools } from './conductor-data-source';
import { jitteredBackoff, sleep } from '../resilience/abortable';

/** Where a key's connection stands. */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'closed';

const BACKGROUND_MAX_DELAY_MS = 30_000;

/**
 * DatabaseConnector initializes one key's TypeORM DataSource. When the database is down at startup the
 * app still starts (unless `failFast`): the connector keeps trying in the background with bounded,
 * jittered backoff, and each call may also trigger an attempt of its own.
 */
export class DatabaseConnector {
  private state: ConnectionState = 'disconnected';
  private inflight?: Promise<void>;
  private background?: Promise<void>;
  private readonly closing = new AbortController();
  private lastError?: string;
  private lastWarningAt = 0;
  private nextReplica = 0;

  constructor(
    private readonly options: ResolvedDatabaseOptions,
    readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  /**
   * Connects now (failFast), or makes one attempt (bounded by the acquire timeout) and, when it fails,
   * goes on connecting in the background: a reachable database is ready once the app has started, an
   * unreachable one never stops it from starting.
   */
  async start(): Promise<void> {
    if (this.options.failFast) {
      await this.connectWithin(this.options.resilience.retry.maxAttempts);
      return;
    }
    try {
      await this.attempt();
    } catch (error) {
      this.warnUnreachable(error);
      this.background = this.connectInBackground();
    }
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The last connection error, for stats and health. */
  get lastConnectionError(): string | undefined {
    return this.lastError;
  }

  /** Waits until connected, making an attempt now if none is under way; throws the connection error. */
  async ready(signal?: AbortSignal): Promise<void> {
    if (this.state === 'connected') return;
    if (this.state === 'closed') throw new Error(`database "${this.options.key}" is closed (the application is shutting down)`);
    signal?.throwIfAborted();
    await this.attempt();
  }

  /** The pool a statement runs on: the primary, or the next replica in turn. */
  pool(route: 'primary' | 'replica'): Pool {
    const driver = this.dataSource.driver as unknown as PostgresDriverPools;
    if (!driver.master) throw new Error(`database "${this.options.key}" is not connected`);
    if (route === 'replica' && driver.slaves.length > 0) {
      this.nextReplica = (this.nextReplica + 1) % driver.slaves.length;
      return driver.slaves[this.nextReplica];
    }
    return driver.master;
  }

  /** Stops connecting and closes the pools. */
  async close(): Promise<void> {
    this.state = 'closed';
    this.closing.abort(new Error('closing'));
    await this.background?.catch(() => undefined);
    await this.inflight?.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** One connection attempt, shared by everyone who asks while it runs. */
  private attempt(): Promise<void> {
    this.inflight ??= (async () => {
      // After a failure the key stays `disconnected` until an attempt succeeds.
      if (this.lastError === undefined) this.state = 'connecting';
      try {
        if (!this.dataSource.isInitialized) await this.dataSource.initialize();
        if (this.closing.signal.aborted) return;
        this.state = 'connected';
        if (this.lastError) this.logger.log(`database "${this.options.key}" connected`);
        this.lastError = undefined;
      } catch (error) {
        if ((this.state as ConnectionState) !== 'closed') this.state = 'disconnected';
        this.lastError = error instanceof Error ? error.message : String(error);
        throw error;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  private async connectWithin(attempts: number): Promise<void> {
    const { initialDelayMs, maxDelayMs } = this.options.resilience.retry;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt();
      } catch (error) {
        const kind = classifyError(error).kind;
        const limit = kind === 'misconfiguration' ? this.options.resilience.retry.misconfigurationAttempts : attempts;
        if (kind === 'permanent' || attempt + 1 >= limit) {
          const target = `${this.options.primary.host}:${this.options.primary.port}/${this.options.primary.database}`;
          throw new Error(
            `database "${this.options.key}" (${target}) is unreachable at startup and failFast is set: ${this.lastError}`,
            { cause: error },
          );
        }
        await sleep(jitteredBackoff(attempt, initialDelayMs, maxDelayMs), this.closing.signal);
      }
    }
  }

  private warnUnreachable(error: unknown): void {
    if (Date.now() - this.lastWarningAt < this.options.resilience.logIntervalMs) return;
    this.lastWarningAt = Date.now();
    const { reason, kind } = classifyError(error);
    const { host, port } = this.options.primary;
    this.logger.warn(
      `database "${this.options.key}" (${host}:${port}) is unreachable (${kind}, ${reason}: ${this.lastError}); connecting in the background`,
    );
  }

  private async connectInBackground(): Promise<void> {
    const { initialDelayMs } = this.options.resilience.retry;
    // Bounded in rate (backoff up to 30 s) and ended by close(); it stops at the first success,
    // also when a call connected in the meantime.
    for (let attempt = 0; this.state !== 'connected' && !this.closing.signal.aborted; attempt++) {
      try {
        await sleep(jitteredBackoff(attempt, Math.max(initialDelayMs, 50), BACKGROUND_MAX_DELAY_MS) + 50, this.closing.signal);
      } catch {
        return;
      }
      if ((this.state as ConnectionState) === 'connected' || this.closing.signal.aborted) return;
      try {
        await this.attempt();
        return;
      } catch (error) {
        if (this.closing.signal.aborted) return;
        this.warnUnreachable(error);
      }
    }
  }
}
