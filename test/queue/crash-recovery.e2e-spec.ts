import type { QueueOptions } from '@conductor/nestjs';
import { type ChildHandle, ChildProcesses } from '../support/child-process';
import { type CrashAccount, CRASH_TABLES_SQL, handledBy, leasedBy, readCrashAccount } from '../support/crash-accounting';
import { FAST_QUEUE, type QueueApp, eventually, startQueueApp } from '../support/queue-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

// Workers run in child processes (test/support/child/queue-worker.ts) and are SIGKILLed for real; the
// test process only enqueues (a producer-only app) and reads the tables. Every figure is printed so the
// runs can be quoted.

describe('queue: crash recovery with real processes', () => {
  const children = new ChildProcesses();
  const databases: string[] = [];
  let url: string;
  let producer: QueueApp;

  beforeEach(async () => {
    const database = await createTestDatabase('crash');
    databases.push(database.name);
    url = database.url;
    producer = await startQueueApp(url, [], { workers: false, strict: false });
    await producer.db.query(CRASH_TABLES_SQL);
  });

  afterEach(async () => {
    await children.closeAll();
    await producer?.close();
  });

  afterAll(async () => {
    for (const name of databases) await dropTestDatabase(name);
  });

  /** Starts a worker process on this test's database and waits until it fetches. */
  async function startWorker(queue: Partial<QueueOptions> = {}, sleepMs = 20, invokes = 0): Promise<ChildHandle> {
    const child = children.start('queue-worker', {
      CONDUCTOR_CHILD_DB_URL: url,
      CONDUCTOR_CHILD_QUEUE: JSON.stringify({ ...FAST_QUEUE, ...queue }),
      CONDUCTOR_CHILD_SLEEP_MS: String(sleepMs),
      ...(invokes > 0 ? { CONDUCTOR_CHILD_INVOKE: String(invokes) } : {}),
    });
    await child.ready;
    return child;
  }

  async function enqueue(task: string, count: number, payload: object = {}): Promise<void> {
    await producer.queue.invokeBatch(Array.from({ length: count }, () => ({ task, payload })));
  }

  async function allCompleted(jobs: number, timeoutMs = 20_000): Promise<void> {
    await eventually(
      `${jobs} jobs completed`,
      async () => {
        const account = await readCrashAccount(producer.db, []);
        return account.completed === jobs && account.left === 0;
      },
      timeoutMs,
    );
  }

  /** Every job completed and left the hot table; only killed (or swept) processes ran one twice. */
  function expectEveryJobDone(account: CrashAccount, jobs: number): void {
    expect(account).toMatchObject({
      completed: jobs,
      left: 0,
      handledExecutions: jobs,
      repeatedBySurvivors: 0,
      completedUnhandled: 0,
    });
  }

  it('recovers the batch of a worker SIGKILLed while handlers run and completions are buffered', async () => {
    const jobs = 200;
    await enqueue('crash.record', jobs, { sleepMs: 40 });
    // A long flush delay keeps finished runs in the completer's buffer: the kill loses some of them.
    const victim = await startWorker({ concurrency: 10, completionFlushMs: 300, completionBatchSize: 1_000 });
    await eventually('the victim is mid-batch', async () => (await handledBy(producer.db, victim.pid)) >= 30);
    const leased = await leasedBy(producer.db, victim.pid);
    const handledBeforeKill = await handledBy(producer.db, victim.pid);
    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(leased).toBeGreaterThan(0);

    const survivor = await startWorker({ concurrency: 10 });
    await allCompleted(jobs);
    const recoveredMs = Date.now() - killedAt;
    const account = await readCrashAccount(producer.db, [victim.pid]);
    console.log('mid-batch kill', { jobs, leased, handledBeforeKill, recoveredMs, ...account });

    expectEveryJobDone(account, jobs);
    expect(account.handledRows).toBeGreaterThanOrEqual(jobs);
    expect(await handledBy(producer.db, survivor.pid)).toBeGreaterThan(0);
  });

  it('recovers the executions a worker started locally from its own invokes when it is SIGKILLed', async () => {
    const jobs = 5;
    // The victim invokes a first job that completes at once, then `jobs` more whose handlers work for a
    // minute: those are still running at the kill. A row inserted already leased (local start) was locked
    // in the transaction that made it; a fetched one later.
    const victim = await startWorker({ concurrency: 10 }, 60_000, jobs);
    await eventually('the victim runs its own invokes', async () => (await leasedBy(producer.db, victim.pid)) === jobs);
    const [{ local }] = await producer.db.query<{ local: number }>(
      `SELECT count(*)::int AS local FROM conductor.executions WHERE state = 'running' AND locked_at = created_at`,
    );
    expect(local).toBe(jobs);
    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    const survivor = await startWorker({ concurrency: 10 });
    await allCompleted(jobs + 1);
    const account = await readCrashAccount(producer.db, [victim.pid]);
    console.log('local starts killed', { jobs, local, recoveredMs: Date.now() - killedAt, ...account });
    expectEveryJobDone(account, jobs + 1);
    expect(await handledBy(producer.db, survivor.pid)).toBe(jobs);
  });

  it('leaves exactly one effect per job when transactional handlers are killed at random points', async () => {
    const jobs = 300;
    await enqueue('crash.transactional', jobs, { sleepMs: 120 });
    const survivor = await startWorker({ concurrency: 2 });
    const killed: number[] = [];
    const delays: number[] = [];
    for (let round = 0; round < 3; round++) {
      const victim = await startWorker({ concurrency: 10 });
      // Anywhere from the first fetch to deep inside a batch; transactions are open most of the time.
      const delay = Math.round(50 + Math.random() * 700);
      delays.push(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      await victim.stop('SIGKILL');
      killed.push(victim.pid);
    }
    const killedAt = Date.now();
    await allCompleted(jobs);
    const account = await readCrashAccount(producer.db, killed);
    const [{ retried }] = await producer.db.query<{ retried: number }>(
      `SELECT count(*)::int AS retried FROM conductor.archived_executions WHERE attempts > 1`,
    );
    console.log('transactional kills', {
      jobs,
      kills: killed.length,
      delays,
      retried,
      recoveredMs: Date.now() - killedAt,
      ...account,
    });

    expect(account).toMatchObject({ completed: jobs, left: 0, effectRows: jobs, effectExecutions: jobs, doubledEffects: 0 });
    // The kills did interrupt work: some executions needed more than one attempt.
    expect(retried).toBeGreaterThan(0);
    // The instance that ran all along took part too.
    expect(await handledBy(producer.db, survivor.pid, 'effects')).toBeGreaterThan(0);
  });

  it('recovers from three SIGKILLs in a row while another instance runs all along', async () => {
    const jobs = 300;
    await enqueue('crash.record', jobs, { sleepMs: 30 });
    const survivor = await startWorker({ concurrency: 2 });
    const killed: number[] = [];
    let leasedAtKills = 0;
    for (let round = 0; round < 3; round++) {
      const victim = await startWorker({ concurrency: 10, completionFlushMs: 150 });
      await eventually('the victim is at work', async () => (await handledBy(producer.db, victim.pid)) >= 10);
      leasedAtKills += await leasedBy(producer.db, victim.pid);
      await victim.stop('SIGKILL');
      killed.push(victim.pid);
    }
    const killedAt = Date.now();
    await allCompleted(jobs);
    const recoveredMs = Date.now() - killedAt;
    const account = await readCrashAccount(producer.db, killed);
    const [{ orchestrators }] = await producer.db.query<{ orchestrators: number }>(
      'SELECT count(*)::int AS orchestrators FROM conductor.orchestrators WHERE pid = ANY ($1::int[])',
      [killed],
    );
    console.log('three kills in a row', { jobs, kills: killed.length, leasedAtKills, recoveredMs, orchestrators, ...account });

    expectEveryJobDone(account, jobs);
    expect(leasedAtKills).toBeGreaterThan(0);
    // The survivor's sweep removed every killed orchestrator.
    expect(orchestrators).toBe(0);
    expect(await handledBy(producer.db, survivor.pid)).toBeGreaterThan(0);
  });

  it('shares one database between two instances without running any job twice', async () => {
    const jobs = 300;
    const [a, b] = await Promise.all([startWorker({ concurrency: 5 }), startWorker({ concurrency: 5 })]);
    await enqueue('crash.record', jobs, { sleepMs: 10 });
    await allCompleted(jobs);
    const account = await readCrashAccount(producer.db, []);
    const byA = await handledBy(producer.db, a.pid);
    const byB = await handledBy(producer.db, b.pid);
    console.log('two instances', { jobs, byA, byB, ...account });

    expect(account).toMatchObject({ completed: jobs, left: 0, handledRows: jobs, handledExecutions: jobs, duplicates: 0 });
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')])).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });

  it('drains on SIGTERM mid-load: exits 0, completes or hands back its executions, loses nothing', async () => {
    const fast = 1_500;
    const slow = 5;
    // Slower than the grace period: the shutdown aborts them, and they must be handed back uncounted.
    const slowJobs = await producer.queue.invokeBatch(
      Array.from({ length: slow }, () => ({ task: 'crash.record', payload: { sleepMs: 3_000 }, opts: { priority: 10 } })),
    );
    // Short jobs keep the fetch loop busy, so the SIGTERM lands while fetches are in flight.
    await enqueue('crash.record', fast, { sleepMs: 2 });
    const worker = await startWorker({ concurrency: 10, shutdownGraceMs: 500 });
    await eventually('the worker is mid-load', async () => (await handledBy(producer.db, worker.pid)) >= 100);
    const stoppedAt = Date.now();
    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const drainMs = Date.now() - stoppedAt;

    const [state] = await producer.db.query<{ running: number; queued: number; counted: number; orchestrators: number }>(
      `SELECT count(*) FILTER (WHERE state = 'running')::int AS running,
              count(*) FILTER (WHERE state = 'queued')::int AS queued,
              count(*) FILTER (WHERE attempts > 0 OR errors <> '[]')::int AS counted,
              (SELECT count(*) FROM conductor.orchestrators)::int AS orchestrators
       FROM conductor.executions`,
    );
    const afterStop = await readCrashAccount(producer.db, []);
    const slowStates = await Promise.all(slowJobs.map(({ id }) => producer.queue.get(id)));
    console.log('SIGTERM drain', {
      jobs: fast + slow,
      drainMs,
      ...state,
      completed: afterStop.completed,
      handled: afterStop.handledRows,
    });
    // Everything it ran to the end was completed; everything else is back in the queue, attempt not counted.
    expect(state).toEqual({ running: 0, queued: fast + slow - afterStop.completed, counted: 0, orchestrators: 0 });
    expect(afterStop.handledRows).toBe(afterStop.completed);
    expect(slowStates.map((e) => [e?.state, e?.attempts])).toEqual(Array.from({ length: slow }, () => ['queued', 0]));

    await startWorker({ concurrency: 10 });
    await allCompleted(fast + slow);
    const account = await readCrashAccount(producer.db, []);
    expect(account).toMatchObject({ handledRows: fast + slow, handledExecutions: fast + slow, duplicates: 0 });
  });

  it('hands back what a paused worker fetched after it was swept, and loses nothing', async () => {
    const jobs = 2_000;
    await enqueue('crash.record', jobs, { sleepMs: 5 });
    const survivor = await startWorker({ concurrency: 2 });
    const paused = await startWorker({ concurrency: 10 });
    await eventually('the worker is at work', async () => (await handledBy(producer.db, paused.pid)) >= 100);
    // Frozen (a long GC pause, a stalled VM) past staleAfterMs and a sweep interval: the survivor sweeps
    // it while it is alive. When it wakes up, its fetch and its heartbeat race: rows it leases before it
    // learns it was swept must not stay leased to it forever.
    process.kill(paused.pid, 'SIGSTOP');
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_600));
    } finally {
      process.kill(paused.pid, 'SIGCONT');
    }
    const resumedAt = Date.now();
    await allCompleted(jobs);
    const recoveredMs = Date.now() - resumedAt;
    // Runs it finished after it had been swept count like a killed process's runs: at least once.
    const account = await readCrashAccount(producer.db, [paused.pid]);
    console.log('paused past staleness', { jobs, recoveredMs, ...account });

    expectEveryJobDone(account, jobs);
    expect(await handledBy(producer.db, survivor.pid)).toBeGreaterThan(0);
    // It re-registered and carried on; it still shuts down cleanly.
    expect(await paused.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
