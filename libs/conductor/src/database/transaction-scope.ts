import type { PoolClient } from 'pg';
import type { EntityManager, QueryRunner } from 'typeorm';

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
  private savepoints = 0;
  // Savepoints on one connection must not interleave: nested transactions run one after another.
  private nestedChain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly key: string,
    readonly queryRunner: QueryRunner,
    private readonly client: PoolClient,
  ) {}

  get manager(): EntityManager {
    return this.queryRunner.manager;
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: { name?: string }): Promise<T[]> {
    const result = await this.client.query(
      options?.name ? { name: options.name, text: sql, values: params } : { text: sql, values: params },
    );
    return result.rows as T[];
  }

  /** Runs `fn` inside a savepoint: its failure rolls back its own work only, then rethrows. */
  savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const name = `conductor_sp_${++this.savepoints}`;
      await this.client.query(`SAVEPOINT ${name}`);
      try {
        const result = await fn();
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
