import { Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { type Database, InjectDatabase, Task, type TaskContext } from '@conductor/nestjs';

/**
 * LedgerHandlers are the in-process handlers of the reliability suite. `ledger.effect` writes its one
 * effect row inside the transaction that commits its completion, so a fault at any point leaves exactly
 * one row per completed job; `ledger.record` is idempotent and records each run once its work is done.
 */
@Injectable()
export class LedgerHandlers {
  constructor(@InjectDatabase('main') private readonly db: Database) {}

  @Task('ledger.effect', { maxAttempts: 25, transactional: true })
  async effect(payload: { sleepMs?: number }, ctx: TaskContext): Promise<void> {
    await ctx.manager!.query('INSERT INTO effects (execution_id, attempt, pid) VALUES ($1, $2, $3)', [
      ctx.id,
      ctx.attempt,
      process.pid,
    ]);
    if (payload.sleepMs) await delay(payload.sleepMs, undefined, { signal: ctx.signal });
  }

  @Task('ledger.record', { maxAttempts: 25 })
  async record(payload: { sleepMs?: number }, ctx: TaskContext): Promise<void> {
    if (payload.sleepMs) await delay(payload.sleepMs, undefined, { signal: ctx.signal });
    await this.db.query('INSERT INTO handled (execution_id, attempt, pid) VALUES ($1, $2, $3)', [
      ctx.id,
      ctx.attempt,
      process.pid,
    ]);
  }
}
