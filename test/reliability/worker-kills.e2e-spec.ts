import type { QueueOptions } from '@conductor/nestjs';
import { type ChildHandle, ChildProcesses } from '../support/child-process';
import type { KillPoint } from '../support/child/kill-switch';
import { CRASH_TABLES_SQL, leasedBy, readCrashAccount } from '../support/crash-accounting';
import { FAST_QUEUE, type QueueApp, eventually, startQueueApp } from '../support/queue-app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';
import { writeSection } from './support/reliability-report';

// Builds on test/queue/crash-recovery.e2e-spec.ts (kills from outside at random times): here each
// victim SIGKILLs itself at an aimed point (test/support/child/kill-switch.ts): just after sending a
// fetch, inside a handler (an idempotent one after its work, a transactional one inside its open
// transaction), or just after sending a completion. Many victims in a row; a survivor runs all along.

const POINTS: KillPoint[] = ['fetch', 'handler', 'flush'];
const ROUNDS_PER_POINT = 5;
const JOBS_PER_TASK = 700;

describe('reliability: worker processes SIGKILLed at aimed points', () => {
  const children = new ChildProcesses();
  let database: TestDatabase;
  let producer: QueueApp;

  beforeAll(async () => {
    database = await createTestDatabase('kills');
    producer = await startQueueApp(database.url, [], { workers: false, strict: false });
    await producer.db.query(CRASH_TABLES_SQL);
  });

  afterAll(async () => {
    await children.closeAll();
    await producer?.close();
    await dropTestDatabase(database.name);
  });

  function startWorker(queue: Partial<QueueOptions>, env: Record<string, string> = {}): ChildHandle {
    return children.start('queue-worker', {
      CONDUCTOR_CHILD_DB_URL: database.url,
      CONDUCTOR_CHILD_QUEUE: JSON.stringify({ ...FAST_QUEUE, ...queue }),
      ...env,
    });
  }

  it('recovers every job; exactly one effect per transactional job; repeats only from killed processes', async () => {
    await producer.queue.invokeBatch([
      ...Array.from({ length: JOBS_PER_TASK }, () => ({ task: 'crash.record', payload: { sleepMs: 25 } })),
      ...Array.from({ length: JOBS_PER_TASK }, () => ({ task: 'crash.transactional', payload: { sleepMs: 50 } })),
    ]);
    const survivor = startWorker({ concurrency: 1 });
    await survivor.ready;
    const killed: number[] = [];
    const byPoint = new Map<KillPoint, { kills: number; leasedAtDeath: number; notKilled: number }>();
    for (let round = 0; round < ROUNDS_PER_POINT; round++) {
      for (const point of POINTS) {
        const occurrence = 1 + Math.floor(Math.random() * 4);
        // A flush delay keeps finished runs buffered, so the aimed flush carries a batch.
        const victim = startWorker(
          { concurrency: 10, completionFlushMs: point === 'flush' ? 50 : 2 },
          { CONDUCTOR_CHILD_KILL_AT: point, CONDUCTOR_CHILD_KILL_AFTER: String(occurrence) },
        );
        let timer: NodeJS.Timeout | undefined;
        const exit = await Promise.race([
          victim.exited,
          new Promise<undefined>((resolve) => (timer = setTimeout(resolve, 30_000, undefined))),
        ]).finally(() => clearTimeout(timer));
        const figures = byPoint.get(point) ?? { kills: 0, leasedAtDeath: 0, notKilled: 0 };
        if (exit?.signal === 'SIGKILL') {
          figures.kills++;
          killed.push(victim.pid);
          figures.leasedAtDeath += await leasedBy(producer.db, victim.pid);
        } else {
          figures.notKilled++;
          await victim.stop('SIGKILL');
          killed.push(victim.pid);
        }
        byPoint.set(point, figures);
      }
    }
    const lastKillAt = Date.now();
    // Two fresh instances finish the backlog; the sweeps of all three recover the victims' leases.
    await Promise.all([startWorker({ concurrency: 10 }).ready, startWorker({ concurrency: 10 }).ready]);
    const jobs = 2 * JOBS_PER_TASK;
    await eventually(
      'every job completed',
      async () => {
        const account = await readCrashAccount(producer.db, []);
        return account.completed === jobs && account.left === 0;
      },
      90_000,
    );
    const recoveredMs = Date.now() - lastKillAt;
    const account = await readCrashAccount(producer.db, killed);
    const [{ retried, swept }] = await producer.db.query<{ retried: number; swept: number }>(
      `SELECT count(*) FILTER (WHERE attempts > 1)::int AS retried,
              count(*) FILTER (WHERE errors::text LIKE '%OrchestratorLost%')::int AS swept
       FROM conductor.archived_executions`,
    );
    const kills = [...byPoint.values()].reduce((sum, f) => sum + f.kills, 0);
    writeSection('worker-kills', {
      summary:
        `${kills} worker processes (concurrency 10) SIGKILLed themselves one after another at aimed points while a ` +
        `survivor (concurrency 1) ran all along, on a backlog of ${JOBS_PER_TASK} idempotent (\`crash.record\`) and ` +
        `${JOBS_PER_TASK} \`transactional\` (\`crash.transactional\`) jobs; two fresh instances then finished the ` +
        `backlog. _fetch_: a few ms after sending a fetch (it may or may not have leased rows); _handler_: an ` +
        `idempotent handler after recording its work, a transactional one inside its open transaction; _flush_: ` +
        `a few ms after sending a completion batch. Each victim died at its 1st to 4th occurrence of its point.`,
      tables: [
        {
          caption: 'Kills',
          rows: POINTS.map((point) => ({
            point,
            kills: byPoint.get(point)?.kills ?? 0,
            'executions leased at death': byPoint.get(point)?.leasedAtDeath ?? 0,
            'exited otherwise': byPoint.get(point)?.notKilled ?? 0,
          })),
        },
        {
          caption: 'Accounting',
          rows: [
            {
              jobs,
              completed: account.completed,
              lost: jobs - account.completed,
              'doubled effects (transactional)': account.doubledEffects,
              'effect rows': account.effectRows,
              'repeats (idempotent, at-least-once)': account.duplicates,
              'repeats by survivors': account.repeatedBySurvivors,
              'retried jobs': retried,
              'swept attempts': swept,
              'last kill to drained ms': recoveredMs,
            },
          ],
        },
      ],
    });

    expect(kills).toBe(POINTS.length * ROUNDS_PER_POINT);
    expect(account).toMatchObject({
      completed: jobs,
      left: 0,
      handledExecutions: JOBS_PER_TASK,
      repeatedBySurvivors: 0,
      completedUnhandled: 0,
      effectRows: JOBS_PER_TASK,
      effectExecutions: JOBS_PER_TASK,
      doubledEffects: 0,
    });
    // The kills hit leased work: the sweep had something to recover.
    expect(swept).toBeGreaterThan(0);
  });
});
