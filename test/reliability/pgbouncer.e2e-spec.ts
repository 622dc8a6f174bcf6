import type { TestingModule } from '@nestjs/testing';
import { type Database, QueueService, getDatabaseToken, readMigrations } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type PgBouncer, pgBouncerVersion, startPgBouncer } from '../support/pgbouncer';
import { FAST_QUEUE, eventually } from '../support/queue-app';
import { adminUrl, dropTestDatabase, withAdmin } from '../support/test-database';
import { LEDGER_TABLES_SQL, readLedger, repeatedRuns } from './support/job-ledger';
import { LedgerHandlers } from './support/ledger-handlers';
import { writeSection } from './support/reliability-report';

// Conductor behind PgBouncer in transaction pooling mode (the Debian package, run as a child process):
// consecutive statements of one client may run on different server connections, so nothing may rely
// on session state: not a session advisory lock, not LISTEN (hence listen: false).

const POOL_SIZE = 4;
const MIGRATION_ROUNDS = 3;
const JOBS = 600;

describe('reliability: PgBouncer in transaction pooling mode', () => {
  const database = `bouncer_${process.pid}`;
  let bouncer: PgBouncer;
  const apps: TestingModule[] = [];
  const migrationRows: Record<string, string | number>[] = [];

  beforeAll(async () => {
    // Fails the file with the install instructions when pgbouncer is missing: never a silent pass.
    bouncer = await startPgBouncer({ port: Number(new URL(adminUrl()).port) }, { poolSize: POOL_SIZE });
    await withAdmin((client) => client.query(`CREATE DATABASE ${database}`));
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await bouncer?.stop();
    await dropTestDatabase(database);
  });

  function startApp(schema: string, workers: boolean): Promise<TestingModule> {
    return startConductor(
      {
        databases: {
          main: { url: bouncer.url(database), pool: { max: 8 }, applicationName: 'conductor-bouncer', preparedStatements: false },
        },
        queue: { database: 'main', ...FAST_QUEUE, schema, listen: false, workers, strict: false },
      },
      { providers: [LedgerHandlers] },
    ).then((app) => {
      apps.push(app);
      return app;
    });
  }

  it('migrates a fresh schema from two instances at once, each migration once, no lock left behind', async () => {
    const versions = readMigrations().map((m) => m.version);
    for (let round = 1; round <= MIGRATION_ROUNDS; round++) {
      const schema = `bouncer_migrate_${round}`;
      const started = Date.now();
      const [a] = await Promise.all([startApp(schema, true), startApp(schema, true)]);
      const db = a.get<Database>(getDatabaseToken('main'));
      const applied = await db.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      // A session-level advisory lock would outlive its transaction on a pooled server connection.
      const [{ locks }] = await withAdmin((client) =>
        client
          .query<{ locks: number }>(`SELECT count(*)::int AS locks FROM pg_locks WHERE locktype = 'advisory'`)
          .then((r) => r.rows),
      );
      migrationRows.push({
        round,
        schema,
        instances: 2,
        'migrations applied': applied.length,
        expected: versions.length,
        'advisory locks left': locks,
        'both ready ms': Date.now() - started,
      });
      expect(applied.map((r) => r.version)).toEqual(versions);
      expect(locks).toBe(0);
      await Promise.all(apps.splice(0).map((app) => app.close()));
    }
  });

  it('runs the queue with two workers and a producer through it: nothing lost, nothing doubled', async () => {
    const schema = 'bouncer_queue';
    const producer = await startApp(schema, false);
    const db = producer.get<Database>(getDatabaseToken('main'));
    await db.query(LEDGER_TABLES_SQL);
    await Promise.all([startApp(schema, true), startApp(schema, true)]);
    const started = Date.now();
    const queue = producer.get(QueueService);
    const ids: string[] = [];
    const effectIds: string[] = [];
    for (let n = 0; n < JOBS; n += 50) {
      const tasks = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 'ledger.effect' : 'ledger.record'));
      const batch = await queue.invokeBatch(tasks.map((task) => ({ task, payload: { sleepMs: 2 } })));
      ids.push(...batch.map((r) => r.id));
      effectIds.push(...batch.filter((_, i) => tasks[i] === 'ledger.effect').map((r) => r.id));
      // Single invokes too: they take the grouped insert path.
      const single = await queue.invoke('ledger.effect', {});
      ids.push(single.id);
      effectIds.push(single.id);
    }
    let peakServerConnections = 0;
    await eventually(
      'every job completed',
      async () => {
        const [{ n }] = await withAdmin((client) =>
          client
            .query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [database])
            .then((r) => r.rows),
        );
        peakServerConnections = Math.max(peakServerConnections, n);
        return (await readLedger(db, ids, { schema })).completed === ids.length;
      },
      60_000,
    );
    const drainMs = Date.now() - started;
    const ledger = await readLedger(db, ids, { schema, exactlyOnce: false });
    const effectLedger = await readLedger(db, effectIds, { schema });
    const repeats = await repeatedRuns(db);
    writeSection('pgbouncer', {
      summary:
        `${pgBouncerVersion()} (Debian package) as a child process, \`pool_mode = transaction\`, ` +
        `\`default_pool_size = ${POOL_SIZE}\`; every Conductor connection goes through it with \`queue.listen: false\` ` +
        'and `preparedStatements: false`.',
      tables: [
        { caption: 'Migrations of a fresh schema, two instances at once', rows: migrationRows },
        {
          caption: 'Queue through PgBouncer (two worker instances, one producer)',
          rows: [
            {
              'jobs invoked': ids.length,
              completed: ledger.completed,
              lost: ledger.lost,
              'doubled (transactional)': effectLedger.doubled,
              'repeats (idempotent)': repeats,
              'drain ms': drainMs,
              'peak server connections': peakServerConnections,
            },
          ],
        },
      ],
      notes: [
        'Bug found and fixed: Conductor ran its queue statements as named prepared statements, which PgBouncer ' +
          'before 1.21 (this one) cannot pool: the first start failed with `prepared statement "conductor_register_' +
          'orchestrator_…" already exists` (42P05). The new database option `preparedStatements: false` runs them unnamed.',
        'The migrator takes `pg_try_advisory_xact_lock` inside each migration transaction; no advisory lock ' +
          'was left on any server connection after the instances were ready.',
      ],
    });
    expect(ledger).toMatchObject({ lost: 0, completed: ids.length, dead: 0 });
    expect(effectLedger).toMatchObject({ doubled: 0, unhandled: 0 });
    expect(repeats).toBe(0);
  });
});
