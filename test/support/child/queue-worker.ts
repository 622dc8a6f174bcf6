import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setTimeout as delay } from 'node:timers/promises';
import {
  ConductorModule,
  Database,
  InjectDatabase,
  Orchestrator,
  QueueService,
  type QueueOptions,
  Task,
  type TaskContext,
} from '../../../libs/conductor/src';
import { armKillSwitch, reached } from './kill-switch';
import { startMemoryProbe } from './memory-probe';

// A Conductor worker run as a separate process by the crash tests (see child-process.ts), so that it
// can be SIGKILLed for real. Configured through the environment:
//   CONDUCTOR_CHILD_DB_URL    the test database; the tables `handled` and `effects` must exist
//   CONDUCTOR_CHILD_QUEUE     JSON of queue options (tests pass FAST_QUEUE and their overrides)
//   CONDUCTOR_CHILD_SLEEP_MS  how long a handler works when its payload does not say
//   CONDUCTOR_CHILD_APP_NAME  its application_name (default conductor:main)
//   CONDUCTOR_CHILD_KILL_AT   an aimed self-SIGKILL (see kill-switch.ts)
//   CONDUCTOR_CHILD_MEMORY_MS print its memory this often (see memory-probe.ts)
//   CONDUCTOR_CHILD_INVOKE    a count: once ready, invoke a first `crash.record` job, and once it
//                             completed that many more, one after another (its idle worker starts them)
// Prints `CHILD-READY {"pid":..,"orchestratorId":..}` once its orchestrator is registered and fetching.
// SIGTERM closes the app (a graceful drain) and the process then exits 0 on its own.

const url = required('CONDUCTOR_CHILD_DB_URL');
const defaultSleepMs = Number(process.env.CONDUCTOR_CHILD_SLEEP_MS ?? 20);
const queue: Partial<QueueOptions> = JSON.parse(process.env.CONDUCTOR_CHILD_QUEUE ?? '{}');

/** What a job asks of its handler. */
interface CrashPayload {
  sleepMs?: number;
}

@Injectable()
class CrashHandlers {
  constructor(@InjectDatabase('main') private readonly db: Database) {}

  // Idempotent by intent: it records the run only once its work is done, so a row here with no
  // completion behind it is an at-least-once duplicate, which only a crash may cause.
  @Task('crash.record', { maxAttempts: 20 })
  async record(payload: CrashPayload, ctx: TaskContext): Promise<void> {
    await delay(payload.sleepMs ?? defaultSleepMs, undefined, { signal: ctx.signal });
    await this.db.query('INSERT INTO handled (execution_id, attempt, pid) VALUES ($1, $2, $3)', [
      ctx.id,
      ctx.attempt,
      process.pid,
    ]);
    // Its work is done and recorded, its completion not yet: a kill here makes an at-least-once repeat.
    reached('handler');
  }

  // Writes its effect first, then works a random while inside the same transaction: a kill at any point
  // before the commit must leave no effect, and the commit brings the completion with it.
  @Task('crash.transactional', { maxAttempts: 20, transactional: true })
  async transactional(payload: CrashPayload, ctx: TaskContext): Promise<void> {
    await ctx.manager!.query('INSERT INTO effects (execution_id, attempt, pid) VALUES ($1, $2, $3)', [
      ctx.id,
      ctx.attempt,
      process.pid,
    ]);
    await delay(Math.random() * (payload.sleepMs ?? defaultSleepMs), undefined, { signal: ctx.signal });
    // Inside the open transaction, its effect written: a kill here must roll the effect back.
    reached('handler');
  }
}

@Module({
  imports: [
    ConductorModule.forRoot({
      databases: { main: { url, pool: { max: 10 }, applicationName: process.env.CONDUCTOR_CHILD_APP_NAME } },
      queue: { database: 'main', ...queue },
    }),
  ],
  providers: [CrashHandlers],
})
class WorkerModule {}

async function main(): Promise<void> {
  armKillSwitch();
  startMemoryProbe();
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error', 'warn'] });
  const orchestrator = app.get(Orchestrator);
  if (!orchestrator.status().registered) throw new Error('the orchestrator did not register at startup');
  process.once('SIGTERM', () => {
    void app.close().then(() => {
      // Nothing must keep the process alive after close: if something does, fail loudly instead of hanging.
      setTimeout(() => {
        console.error('CHILD-LEAK: the process did not exit within 5 s of app.close()');
        process.exit(3);
      }, 5_000).unref();
    });
  });
  console.log(`CHILD-READY ${JSON.stringify({ pid: process.pid, orchestratorId: orchestrator.id })}`);
  const invoke = process.env.CONDUCTOR_CHILD_INVOKE;
  if (invoke) {
    const queueService = app.get(QueueService);
    // A first job that works for no time, run once the worker has fetched (locally or from the table):
    // once it completed, the worker is idle, its last fetch short, and starts the next invokes itself.
    const warm = await queueService.invoke('crash.record', { sleepMs: 0 });
    await untilCompleted(queueService, warm.id);
    for (let i = 0; i < Number(invoke); i++) await queueService.invoke('crash.record', {});
    console.log('CHILD-INVOKED');
  }
}

/** Waits (up to 10 s) until execution `id` completed. */
async function untilCompleted(queueService: QueueService, id: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    if ((await queueService.get(id))?.state === 'completed') return;
    await delay(25);
  }
  throw new Error(`execution ${id} did not complete within 10 s`);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

void main().catch((error: unknown) => {
  console.error('CHILD-FAILED', error);
  process.exit(2);
});
