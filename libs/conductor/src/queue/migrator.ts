import type { Logger } from '@nestjs/common';
import { sleep } from '../resilience/abortable';
import type { Database } from '../database/database';
import type { TransactionContext } from '../database/transaction-scope';
import type { Migration } from './migrations/migration-files';
import { type SqlCatalog, bindSchema } from './sql/sql-catalog';

/** Settings of one migration run. */
export interface MigratorSettings {
  schema: string;
  /** This process's orchestrator id: it is never asked to shut down by its own breaking migration. */
  orchestratorId: string;
  lockTimeoutMs: number;
  staleAfterMs: number;
  signal: AbortSignal;
}

/** What a migration run found and did. */
export interface MigrationOutcome {
  from: number;
  to: number;
  applied: string[];
}

const LOCK_POLL_MS = 100;

/** Thrown when the migration lock could not be had within the bounded wait. */
export class MigrationLockTimeoutError extends Error {
  override name = 'MigrationLockTimeoutError';
}

/**
 * Migrator applies numbered migrations, each in its own transaction under a transaction-level advisory
 * lock (it also works through PgBouncer's transaction pooling, where session locks do not hold). The
 * wait for the lock is bounded and ends at once on shutdown. Only "relation does not exist" (42P01)
 * reading the ledger means a fresh install; any other error is raised.
 */
export class Migrator {
  constructor(
    private readonly db: Database,
    private readonly sql: SqlCatalog,
    private readonly migrations: readonly Migration[],
    private readonly logger: Logger,
  ) {}

  /** Applies every pending migration; returns the versions before and after. */
  async migrate(settings: MigratorSettings): Promise<MigrationOutcome> {
    const applied: string[] = [];
    let from: number | undefined;
    const deadline = Date.now() + settings.lockTimeoutMs;
    for (;;) {
      settings.signal.throwIfAborted();
      const step = await this.db.transaction(
        async (tx) => {
          if (!(await this.tryLock(tx, settings.schema))) return { locked: false as const };
          const version = await this.readVersion(tx);
          const next = this.migrations[version + 1];
          if (!next) return { locked: true as const, version, next: undefined };
          return { locked: true as const, version, next };
        },
        { signal: settings.signal },
      );
      if (!step.locked) {
        if (Date.now() >= deadline) {
          throw new MigrationLockTimeoutError(
            `Conductor: gave up waiting ${settings.lockTimeoutMs} ms for the migration lock of schema "${settings.schema}" (another process is migrating)`,
          );
        }
        await sleep(LOCK_POLL_MS, settings.signal);
        continue;
      }
      from ??= step.version;
      if (!step.next) return { from, to: step.version, applied };
      if (step.next.breaking) await this.drainOlderOrchestrators(step.next, settings);
      const done = await this.applyOne(step.next, settings);
      if (done) applied.push(step.next.name);
    }
  }

  /** Applies `migration` if it is still the next one (another process may have been faster). */
  private applyOne(migration: Migration, settings: MigratorSettings): Promise<boolean> {
    return this.db.transaction(
      async (tx) => {
        if (!(await this.tryLock(tx, settings.schema))) return false;
        const version = await this.readVersion(tx);
        if (version + 1 !== migration.version) return false;
        this.logger.log(
          `applying migration ${migration.name} to schema "${settings.schema}"${migration.breaking ? ' (breaking)' : ''}`,
        );
        await tx.query(bindSchema(migration.sql, settings.schema));
        const record = this.sql.get('record_migration');
        await tx.query(record.text, [migration.version, migration.name, migration.breaking]);
        return true;
      },
      { signal: settings.signal },
    );
  }

  private async tryLock(tx: TransactionContext, schema: string): Promise<boolean> {
    const [row] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [
      `conductor:migrate:${schema}`,
    ]);
    return row.locked;
  }

  /** The applied version, -1 on a fresh install (the ledger table does not exist: 42P01, and only that). */
  private async readVersion(tx: TransactionContext): Promise<number> {
    await tx.query('SAVEPOINT conductor_read_version');
    try {
      const statement = this.sql.get('read_schema_version');
      const [row] = await tx.query<{ version: number }>(statement.text);
      await tx.query('RELEASE SAVEPOINT conductor_read_version');
      return row.version;
    } catch (error) {
      if ((error as { code?: string }).code !== '42P01') throw error;
      await tx.query('ROLLBACK TO SAVEPOINT conductor_read_version');
      return -1;
    }
  }

  /**
   * Before a breaking migration: asks orchestrators of older versions to shut down gracefully, then
   * waits (bounded) until they have deregistered or gone stale.
   */
  private async drainOlderOrchestrators(migration: Migration, settings: MigratorSettings): Promise<void> {
    const reason = `schema "${settings.schema}" is migrating to ${migration.name}, a breaking change`;
    const request = this.sql.get('request_shutdown');
    const asked = await this.db.query(request.text, [migration.version, reason, settings.orchestratorId, settings.staleAfterMs], {
      idempotent: true,
    });
    if (asked.length === 0) return;
    this.logger.warn(`${reason}: asked ${asked.length} older orchestrator(s) to shut down; waiting for them`);
    const count = this.sql.get('count_older_orchestrators');
    const deadline = Date.now() + Math.max(settings.lockTimeoutMs, settings.staleAfterMs);
    while (Date.now() < deadline) {
      const [row] = await this.db.query<{ remaining: number }>(
        count.text,
        [migration.version, settings.orchestratorId, settings.staleAfterMs],
        {
          idempotent: true,
        },
      );
      if (row.remaining === 0) return;
      await sleep(LOCK_POLL_MS * 2, settings.signal);
    }
    this.logger.warn(`${reason}: older orchestrators did not leave in time; migrating anyway`);
  }
}
