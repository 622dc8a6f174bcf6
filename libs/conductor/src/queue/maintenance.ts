import type { Logger } from '@nestjs/common';
import type { Database } from '../database/database';
import type { ResolvedQueueOptions } from '../options/resolved-options.interface';
import { dropArchivePartitions, prepareArchivePartitions } from './archive-partitions';
import type { SqlCatalog } from './sql/sql-catalog';

/** What a heartbeat learned. */
export type HeartbeatOutcome =
  { kind: 'alive' } | { kind: 'swept' } | { kind: 'shutdown-requested'; reason: string } | { kind: 'failed'; error: unknown };

export const RETENTION_BATCH = 1_000;
/** Retention sweeps run this often and delete in batches until caught up or this budget is spent. */
export const CLEANUP_EVERY_MS = 10_000;
export const CLEANUP_BUDGET_MS = 2_000;

/**
 * Maintenance runs this process's periodic queue work on timers that never overlap and are all cleared
 * by `stop()`: the heartbeat, the sweep of stale orchestrators (requeueing their leased executions),
 * and the retention cleanup of finished executions (partitions made ahead and dropped once expired) and
 * idempotency keys.
 */
export class Maintenance {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Aborted by stop(): a run in flight (a heartbeat into a dead network) must not hold up the shutdown. */
  private readonly stopping = new AbortController();
  private lastHeartbeat?: Date;
  private inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Database,
    private readonly sql: SqlCatalog,
    private readonly options: ResolvedQueueOptions,
    private readonly orchestratorId: string,
    private readonly onHeartbeat: (outcome: HeartbeatOutcome) => void,
    private readonly logger: Logger,
  ) {}

  /** When this process last proved it was alive. */
  get lastHeartbeatAt(): Date | undefined {
    return this.lastHeartbeat;
  }

  /** Marks the registration time as the first heartbeat. */
  registered(): void {
    this.lastHeartbeat = new Date();
  }

  /** Starts the heartbeat, the sweep (one right away) and the retention cleanup. */
  start(): void {
    this.every(this.options.heartbeatIntervalMs, () => this.heartbeat());
    const sweepEvery = Math.max(250, Math.floor(this.options.staleAfterMs / 2));
    this.every(sweepEvery, () => this.sweep(), 0);
    this.every(CLEANUP_EVERY_MS, () => this.cleanup(), 5_000);
  }

  /** Stops every timer, ends a run in progress and waits for it to settle. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('queue maintenance stopped: shutting down'));
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inflight]);
  }

  /** Proves this process is alive; reports whether it was swept or asked to shut down. */
  async heartbeat(): Promise<HeartbeatOutcome> {
    let outcome: HeartbeatOutcome;
    try {
      const statement = this.sql.get('heartbeat');
      const rows = await this.db.query<{ shutdown_requested: string | null }>(statement.text, [this.orchestratorId], {
        name: statement.name,
        idempotent: true,
        route: 'primary',
        signal: this.stopping.signal,
      });
      if (rows.length === 0) outcome = { kind: 'swept' };
      else {
        this.lastHeartbeat = new Date();
        outcome = rows[0].shutdown_requested
          ? { kind: 'shutdown-requested', reason: rows[0].shutdown_requested }
          : { kind: 'alive' };
      }
    } catch (error) {
      outcome = { kind: 'failed', error };
    }
    this.onHeartbeat(outcome);
    return outcome;
  }

  /** Requeues the work of orchestrators silent for longer than `staleAfterMs`; returns what it recovered. */
  async sweep(): Promise<{ orchestrators: number; executions: number }> {
    const statement = this.sql.get('sweep_stale_orchestrators');
    const [row] = await this.db.query<{ orchestrators: number; executions: number }>(
      statement.text,
      [this.options.staleAfterMs],
      {
        name: statement.name,
        idempotent: true,
        route: 'primary',
        signal: this.stopping.signal,
      },
    );
    if (row.orchestrators > 0 || row.executions > 0) {
      this.logger.warn(
        `swept ${row.orchestrators} stale orchestrator(s) and returned ${row.executions} execution(s) to the queue`,
      );
    }
    return row;
  }

  /**
   * Drops the partitions of finished executions past their retention and makes those ahead, then deletes
   * the expired rows of the default partition and the expired idempotency keys, in bounded batches.
   */
  async cleanup(): Promise<void> {
    // A failure of the partitions' part (reported by the caller) must not stop the rows' part.
    let failure: { error: unknown } | undefined;
    try {
      await dropArchivePartitions(this.db, this.sql, this.options.retentionMs, this.stopping.signal);
      await prepareArchivePartitions(this.db, this.sql, this.options.retentionMs, this.stopping.signal);
    } catch (error) {
      failure = { error };
    }
    await this.deleteExpiredRows();
    if (failure) throw failure.error;
  }

  /** Deletes the expired rows of the default partition and the expired idempotency keys. */
  private async deleteExpiredRows(): Promise<void> {
    const statement = this.sql.get('delete_expired');
    // Bounded by time, not rounds: it keeps up with completions far above what one process produces
    // (1 000 rows a batch, batches back to back for up to 2 s every 10 s), yet never holds the pool long.
    const deadline = Date.now() + CLEANUP_BUDGET_MS;
    while (!this.stopping.signal.aborted && Date.now() < deadline) {
      const [row] = await this.db.query<{ finished: number; keys: number }>(
        statement.text,
        [this.options.retentionMs, this.options.idempotencyRetentionMs, RETENTION_BATCH],
        { name: statement.name, idempotent: true, route: 'primary', signal: this.stopping.signal },
      );
      if (row.finished < RETENTION_BATCH && row.keys < RETENTION_BATCH) return;
    }
  }

  private every(intervalMs: number, task: () => Promise<unknown>, firstDelayMs = intervalMs): void {
    const schedule = (delay: number): void => {
      if (this.stopping.signal.aborted) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const run = task()
          .catch((error: unknown) => {
            if (!this.stopping.signal.aborted)
              this.logger.warn(`queue maintenance failed: ${error instanceof Error ? error.message : String(error)}`);
          })
          .finally(() => {
            this.inflight.delete(run);
            schedule(intervalMs);
          });
        this.inflight.add(run);
      }, delay);
      this.timers.add(timer);
    };
    schedule(firstDelayMs);
  }
}
