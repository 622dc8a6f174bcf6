import type { PoolClient } from 'pg';
import type { EntityManager, QueryRunner } from 'typeorm';
import { sendStatement } from './send-statement';

/** What a `Database.transaction` callback receives. */
export interface TransactionContext {
  /** The TypeORM EntityManager bound to this transaction: repositories from it join it. */
  readonly manager: EntityManager;
  /** The database key the transaction runs on. */
  readonly key: string;
  /** Runs a statement inside this transaction and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: { name?: string }): Promise<T[]>;
}

/**
 * TransactionScope is one open transaction: a TypeORM QueryRunner and its pg client. It lives in
 * AsyncLocalStorage, so every `db.query` in the callback joins it, and a nested transaction becomes a
 * savepoint on the same connection.
 */
export class TransactionScope implements TransactionContext {
  // Savepoints on one connection must not interleave: sibling nested transactions run one after
  // another. Each level has its own chain, so a savepoint inside a savepoint does not wait for itself.
  private nestedChain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly key: string,
    readonly queryRunner: QueryRunner,
    private readonly client: PoolClient,
    /** Whether statement names are used (off behind PgBouncer transaction pooling). */
    private readonly prepared = true,
    /** Savepoint names are unique per connection: the counter is shared by every level. */
    private readonly counter: { next: number } = { next: 0 },
  ) {}

  get manager(): EntityManager {
    return this.queryRunner.manager;
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: { name?: string }): Promise<T[]> {
    const result = await sendStatement(this.client, sql, params, options?.name && this.prepared ? options.name : undefined);
    return result.rows as T[];
  }

  /**
   * Runs `fn` inside a savepoint, with a scope of its own for what it nests in turn: its failure rolls
   * back its own work only, then rethrows.
   */
  savepoint<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const name = `conductor_sp_${++this.counter.next}`;
      await this.client.query(`SAVEPOINT ${name}`);
      try {
        const result = await fn(new TransactionScope(this.key, this.queryRunner, this.client, this.prepared, this.counter));
        await this.client.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
    };
    const next = this.nestedChain.then(run, run);
    this.nestedChain = next.catch(() => undefined);
    return next;
  }
}
