import type { TestingModule } from '@nestjs/testing';
import { Orchestrator, QueueService } from '@conductor/nestjs';
import { CapturedLogs, startConductor } from '../support/app';
import { FaultProxy } from '../support/fault-proxy';
import { FAST_QUEUE, type QueueApp, eventually, startQueueApp } from '../support/queue-app';
import { type TestDatabase, createTestDatabase, dropTestDatabase, withAdmin } from '../support/test-database';
import { InvokeLoad } from './support/invoke-load';
import { LEDGER_TABLES_SQL, readLedger, repeatedRuns } from './support/job-ledger';
import { LedgerHandlers } from './support/ledger-handlers';
import { writeSection } from './support/reliability-report';

// One worker instance reaches the database only through the fault proxy; the producer connects
// directly and keeps invoking throughout. Each fault is repeated; the accounting covers every job
// invoked during the whole file. staleAfterMs is long enough that no blackhole here makes the worker
// stale: what it fetched must come back without the help of a sweep.

const BLACKHOLE_MS = 1_500;
const REPEAT = 2;
const APP_NAME = 'conductor-network';

describe('reliability: network faults through the proxy', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let producer: QueueApp;
  let worker: TestingModule;
  const completions: number[] = [];
  const rows: Record<string, string | number>[] = [];
  const totals: Record<string, string | number>[] = [];
  const logs = new CapturedLogs();
  let effects: InvokeLoad;
  let records: InvokeLoad;

  beforeAll(async () => {
    database = await createTestDatabase('network');
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(database.url).port) });
    producer = await startQueueApp(database.url, [], { workers: false, strict: false });
    await producer.db.query(LEDGER_TABLES_SQL);
    worker = await startConductor(
      {
        databases: {
          main: {
            url: proxy.url(database.url),
            applicationName: APP_NAME,
            pool: { max: 10, acquireTimeoutMs: 500 },
            resilience: {
              retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200 },
              breaker: { consecutiveFailures: 5, halfOpenAfterMs: 300 },
              timeoutMs: 1_000,
            },
          },
        },
        queue: { database: 'main', ...FAST_QUEUE, staleAfterMs: 10_000, concurrency: 10 },
      },
      { providers: [LedgerHandlers] },
      logs,
    );
    worker.get(Orchestrator).events.on('completed', () => completions.push(Date.now()));
    const queue = producer.app.get(QueueService);
    effects = new InvokeLoad(queue, () => ({ task: 'ledger.effect', payload: { sleepMs: 5 } }), {
      parallel: 1,
      pauseMs: 15,
    }).start();
    records = new InvokeLoad(queue, () => ({ task: 'ledger.record', payload: { sleepMs: 5 } }), {
      parallel: 1,
      pauseMs: 15,
    }).start();
  });

  afterAll(async () => {
    await Promise.all([effects?.stop(), records?.stop()]);
    await worker?.close();
    await producer?.close();
    await proxy?.close();
    await dropTestDatabase(database.name);
    writeSection('network', {
      summary:
        'One worker instance (concurrency 10, call timeout 1 s) reaches PostgreSQL only through a TCP proxy; a ' +
        'producer connected directly keeps invoking `transactional` (`ledger.effect`) and idempotent ' +
        '(`ledger.record`) jobs throughout. A blackhole forwards the aimed statement to the server, then drops ' +
        `every byte both ways, answering nothing and resetting nothing, for ${BLACKHOLE_MS} ms. _recovery_ is the ` +
        'time from the fault ending to the next completed job (for a LISTEN kill: until a new `:listen` session exists).',
      tables: [
        { caption: 'Faults', rows },
        { caption: 'Accounting over every job of the file', rows: totals },
      ],
      notes: [
        'Bug found and fixed: a fetch whose answer was lost (blackholed, then timed out) had leased its rows to ' +
          'a process that never received them; as that process kept heartbeating, no sweep requeued them and ' +
          'they stayed `running` for good (10 jobs stuck in the first run). The worker now hands back, before ' +
          'its next fetch, whatever it has leased but does not hold (`release-unheld-executions.sql`).',
      ],
    });
  });

  /** Waits for `n` more completions, so that each fault hits a worker at work. */
  async function atWork(n = 30): Promise<void> {
    const before = completions.length;
    await eventually('the worker is at work', () => completions.length >= before + n, 30_000);
  }

  /** Time from `since` to the first completion after it. */
  async function nextCompletion(since: number): Promise<number> {
    await eventually('a job completes after the fault', () => completions.some((t) => t > since), 30_000);
    return completions.find((t) => t > since)! - since;
  }

  async function aimedBlackhole(kind: string, marker: string): Promise<void> {
    for (let round = 1; round <= REPEAT; round++) {
      await atWork();
      await proxy.blackholeAfter(marker);
      await new Promise((resolve) => setTimeout(resolve, BLACKHOLE_MS));
      await proxy.setMode('pass');
      const ended = Date.now();
      rows.push({ fault: kind, round, 'recovery ms': await nextCompletion(ended) });
    }
  }

  it('recovers from a blackhole that swallows the answer of a fetch', async () => {
    await aimedBlackhole('blackhole during a fetch', 'conductor_fetch_executions');
  });

  it('recovers from a blackhole that swallows a completion flush', async () => {
    await aimedBlackhole('blackhole during a flush', 'conductor_complete_executions');
  });

  it('carries on through latency spikes', async () => {
    for (let round = 1; round <= 3; round++) {
      await atWork();
      await proxy.setMode('latency', { latencyMs: 300 });
      const during = completions.length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const completedDuring = completions.length - during;
      await proxy.setMode('pass');
      rows.push({
        fault: 'latency spike 300 ms for 1.5 s',
        round,
        'completed during': completedDuring,
        'recovery ms': await nextCompletion(Date.now()),
      });
    }
  });

  it('polls while its LISTEN connection is killed, and listens again', async () => {
    const listeners = (): Promise<number[]> =>
      withAdmin(async (client) =>
        (
          await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`, [
            database.name,
            `${APP_NAME}:listen`,
          ])
        ).rows.map((r) => r.pid),
      );
    for (let round = 1; round <= 3; round++) {
      await atWork();
      const [old] = await listeners();
      expect(old).toBeDefined();
      await withAdmin((client) => client.query('SELECT pg_terminate_backend($1)', [old]));
      const killed = Date.now();
      // Jobs invoked while no LISTEN connection exists are found by the poll.
      const during = completions.length;
      let fresh: number | undefined;
      await eventually('a new LISTEN session', async () => {
        fresh = (await listeners()).find((pid) => pid !== old);
        return fresh !== undefined;
      });
      const reconnectMs = Date.now() - killed;
      rows.push({
        fault: 'LISTEN connection killed',
        round,
        'completed during': completions.length - during,
        'recovery ms': reconnectMs,
      });
    }
  });

  it('accounts for every job: none lost, none doubled', async () => {
    const [e, r] = await Promise.all([effects.stop(), records.stop()]);
    const ids = [...e.ids, ...r.ids];
    await eventually('every job completed', async () => (await readLedger(producer.db, ids)).lost === 0, 30_000).catch(
      async (error: Error) => {
        const stuck = await producer.db.query(
          `SELECT state, (locked_by IS NOT NULL) AS leased, count(*)::int AS n FROM conductor.executions GROUP BY 1, 2`,
        );
        throw new Error(`${error.message}; left in the hot table: ${JSON.stringify(stuck)}`);
      },
    );
    const effectLedger = await readLedger(producer.db, e.ids);
    const recordLedger = await readLedger(producer.db, r.ids, { effectsTable: 'handled', exactlyOnce: false });
    const repeats = await repeatedRuns(producer.db);
    const [{ retried }] = await producer.db.query<{ retried: number }>(
      `SELECT count(*)::int AS retried FROM conductor.archived_executions WHERE attempts > 1`,
    );
    const handedBack = logs
      .matching(/by a fetch or local start whose answer was lost/)
      .reduce((sum, line) => sum + Number(/handed back (\d+)/.exec(line)?.[1] ?? 0), 0);
    totals.push({
      faults: rows.length,
      jobs: ids.length,
      completed: effectLedger.completed + recordLedger.completed,
      lost: effectLedger.lost + recordLedger.lost,
      'doubled (transactional)': effectLedger.doubled,
      'repeats (idempotent)': repeats,
      'retried jobs': retried,
      'late completions rejected': worker.get(Orchestrator).lateRejected,
      'invokes failed': e.failures + r.failures,
      'handed back after a lost fetch': handedBack,
    });
    expect(effectLedger).toMatchObject({ lost: 0, doubled: 0, unhandled: 0, dead: 0, completed: e.ids.length });
    expect(recordLedger).toMatchObject({ lost: 0, unhandled: 0, dead: 0, completed: r.ids.length });
  });
});
