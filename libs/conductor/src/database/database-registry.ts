import type { Database } from './database';

/** DatabaseRegistry holds every key's `Database`, for the parts that work across keys (health, metrics, queue). */
export class DatabaseRegistry {
  private readonly byKey = new Map<string, Database>();

  constructor(databases: Database[]) {
    for (const database of databases) this.byKey.set(database.key, database);
  }

  /** The database of `key`; throws an error naming the known keys when there is none. */
  get(key: string): Database {
    const database = this.byKey.get(key);
    if (!database) throw new Error(`Conductor: no database "${key}" (known: ${[...this.byKey.keys()].join(', ')})`);
    return database;
  }

  /** Every key's database, in declaration order. */
  all(): Database[] {
    return [...this.byKey.values()];
  }
}
