import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Database, InjectDatabase } from '@conductor/nestjs';
import { Db } from '../database-keys';

// Any constant will do: it only has to be the same in every instance of the sample.
const SCHEMA_LOCK = 7_406_021;
const ATTEMPT_TIMEOUT_MS = 5_000;
const RETRY_EVERY_MS = 5_000;

/**
 * SchemaInitializer creates the sample's tables at startup (`main.sql` in main, `reference.sql` in
 * reference). Several instances may start at once: an advisory lock runs the scripts one at a time,
 * since concurrent `CREATE TABLE IF NOT EXISTS` can still collide in PostgreSQL. A database that is
 * down does not stop the app from starting: its script is retried in the background until it runs.
 */
@Injectable()
export class SchemaInitializer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SchemaInitializer.name);
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly waiting = new Set<string>();

  constructor(
    @InjectDatabase(Db.Main) private readonly main: Database,
    @InjectDatabase(Db.Reference) private readonly reference: Database,
  ) {}

  async onModuleInit(): Promise<void> {
    await Promise.all([this.apply(this.main, 'main.sql'), this.apply(this.reference, 'reference.sql')]);
  }

  onApplicationShutdown(): void {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  private async apply(db: Database, file: string): Promise<void> {
    const sql = readFileSync(join(__dirname, file), 'utf8');
    try {
      await db.transaction(
        async (tx) => {
          await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
          await tx.query(sql);
        },
        { timeoutMs: ATTEMPT_TIMEOUT_MS },
      );
      this.waiting.delete(file);
      this.logger.log(`${file} applied to database "${db.key}"`);
    } catch (error) {
      // One warning per database: Conductor already logs the outage itself.
      if (!this.waiting.has(file)) {
        this.waiting.add(file);
        this.logger.warn(
          `${file} not applied to database "${db.key}" yet (${messageOf(error)}); retrying every ${RETRY_EVERY_MS} ms`,
        );
      }
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.apply(db, file);
      }, RETRY_EVERY_MS);
      this.retries.add(timer);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
