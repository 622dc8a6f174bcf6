import type { TestingModule } from '@nestjs/testing';
import { Orchestrator, QueueService, type Database, getDatabaseToken } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type EmbeddedServer, startEmbeddedServer } from '../support/embedded-server';
import { FAST_QUEUE, eventually } from '../support/queue-app';
import { withAdmin } from '../support/test-database';
import { InvokeLoad } from './support/invoke-load';
import { LEDGER_TABLES_SQL, readLedger } from './support/job-ledger';
import { LedgerHandlers } from './support/ledger-handlers';
import { acceptingAt, killPostmaster, restartServer } from './support/postmaster';
import { writeSection } from './support/reliability-report';

// A disposable server of its own (durable defaults: fsync on), SIGKILLed while a worker runs and four
// callers keep invoking. The postmaster dies without a checkpoint; the restart replays the WAL.

const ROUNDS = 3;
const OUTAGE_MS = 1_000;

describe('reliability: the PostgreSQL server SIGKILLed mid-load', () => {
  let server: EmbeddedServer;
  let app: TestingModule;

  beforeAll(async () => {
    server = await startEmbeddedServer({ quiet: true });
    await withAdmin((client) => client.query('CREATE DATABASE reliability'), server.url());
  });

  afterAll(async () => {
    await app?.close();
    await server?.destroy();
  });

  it('loses no job and doubles none; invokes during the outage fail with a transient error', async () => {
    const url = server.url('reliability');
    app = await startConductor(
      {
        databases: {
          main: {
            url,
            pool: { max: 10, acquireTimeoutMs: 1_000 },
            resilience: {
              retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 300 },
              breaker: { consecutiveFailures: 5, halfOpenAfterMs: 300 },
              timeoutMs: 5_000,
            },
          },
        },
        queue: { database: 'main', ...FAST_QUEUE, concurrency: 10 },
      },
      { providers: [LedgerHandlers] },
    );
    const db = app.get<Database>(getDatabaseToken('main'));
    await db.query(LEDGER_TABLES_SQL);
    const completions: number[] = [];
    app.get(Orchestrator).events.on('completed', () => completions.push(Date.now()));
    const load = new InvokeLoad(app.get(QueueService), () => ({ task: 'ledger.effect', payload: { sleepMs: 5 } }), {
      parallel: 4,
      pauseMs: 5,
    }).start();

    const rounds: Record<string, number>[] = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const before = completions.length;
        await eventually('the worker is at work', () => completions.length >= before + 50, 60_000);
        const failuresBefore = load.outcome.failures;
        const killedAt = Date.now();
        await killPostmaster(server);
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
        await restartServer(server);
        const accepting = await acceptingAt(url);
        await eventually('a job completes after the restart', () => completions.some((t) => t > accepting), 60_000);
        const firstCompletion = completions.find((t) => t > accepting)!;
        rounds.push({
          round,
          'down ms': accepting - killedAt,
          'first completion ms': firstCompletion - accepting,
          'invokes failed': load.outcome.failures - failuresBefore,
        });
      }
    } finally {
      await load.stop();
    }
    const { ids, failures, unclear, byName } = load.outcome;
    await eventually('every returned invoke is completed or dead', async () => (await readLedger(db, ids)).lost === 0, 60_000);
    const ledger = await readLedger(db, ids);
    const [{ retried }] = await db.query<{ retried: number }>(
      `SELECT count(*)::int AS retried FROM conductor.archived_executions WHERE attempts > 1`,
    );
    writeSection('server-kill', {
      summary:
        `${ROUNDS} times in a row the postmaster of a disposable server (fsync on) was SIGKILLed while one ` +
        `in-process worker (concurrency 10) ran \`transactional\` jobs and four callers kept invoking; it was ` +
        `started again on the same data directory after ${OUTAGE_MS} ms. _first completion_ is the time from the ` +
        `restarted server accepting connections to the first job completed after it.`,
      tables: [
        { caption: 'Rounds', rows: rounds },
        {
          caption: 'Accounting',
          rows: [
            {
              faults: ROUNDS,
              'jobs invoked': ids.length,
              completed: ledger.completed,
              dead: ledger.dead,
              lost: ledger.lost,
              doubled: ledger.doubled,
              'retried jobs': retried,
              'invokes failed': failures,
              'not transient': unclear.length,
              'failed but enqueued': ledger.unacknowledged,
            },
          ],
        },
      ],
      notes: [
        `Invoke failures by error: ${
          Object.entries(byName)
            .map(([name, n]) => `${name} ${n}`)
            .join(', ') || 'none'
        }.`,
        '_failed but enqueued_: an invoke whose connection died after the insert was sent reports a transient ' +
          'error although its row committed (an invoke without `idempotencyKey` cannot tell); with a key, ' +
          'retrying it is safe.',
      ],
    });

    expect(unclear).toEqual([]);
    expect(ledger).toMatchObject({ lost: 0, doubled: 0, unhandled: 0, dead: 0 });
    expect(ledger.completed).toBe(ids.length);
    expect(rounds).toHaveLength(ROUNDS);
  });
});
