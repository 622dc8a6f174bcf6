import { Injectable, Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import {
  ConductorModule,
  type Database,
  Orchestrator,
  QUEUE_MIGRATIONS,
  QueueService,
  Task,
  getDatabaseToken,
  readMigrations,
} from '@conductor/nestjs';
import { Migrator, MigrationLockTimeoutError } from '@conductor/nestjs/queue/migrator';
import { SqlCatalog } from '@conductor/nestjs/queue/sql/sql-catalog';
import { quietLogger, startConductor } from '../support/app';
import { FAST_QUEUE, eventually } from '../support/queue-app';
import { createTestDatabase, dropTestDatabase, urlOf, withAdmin } from '../support/test-database';

@Injectable()
class Handlers {
  done: number[] = [];
  @Task('work')
  async work(payload: { n: number }): Promise<void> {
    this.done.push(payload.n);
  }
}

async function appOn(url: string, schema: string, migrations = readMigrations(), providers = [Handlers]): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConductorModule.forRoot({ databases: { main: { url } }, queue: { database: 'main', schema, ...FAST_QUEUE } })],
    providers,
  })
    .overrideProvider(QUEUE_MIGRATIONS)
    .useValue(migrations)
    .setLogger(process.env.DEBUG_MIG ? new Logger() : quietLogger)
    .compile();
  return moduleRef.init();
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await withAdmin((client) => client.query(sql, params), url)).rows as T[];
}

describe('queue migrations', () => {
  let fresh: string;
  let url: string;

  beforeAll(async () => {
    fresh = `fresh_${Date.now().toString(36)}`;
    await withAdmin((client) => client.query(`CREATE DATABASE ${fresh}`));
    url = urlOf(fresh);
  });

  afterAll(async () => {
    await dropTestDatabase(fresh);
  });

  it('installs on a fresh database from two instances at once; each migration runs once; odd schema names are quoted', async () => {
    const schema = `we"ird; schema`;
    const [a, b] = await Promise.all([appOn(url, schema), appOn(url, schema)]);
    try {
      const applied = await query<{ version: number }>(
        url,
        `SELECT version FROM "we""ird; schema".schema_migrations ORDER BY version`,
      );
      expect(applied.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
      const { id } = await a.get(QueueService).invoke('work', { n: 1 });
      await eventually('ran', async () => (await b.get(QueueService).get(id))?.state === 'completed');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('leaves room in the primary key for the row versions that the fetch adds (fillfactor 50)', async () => {
    const schema = 'roomy';
    const app = await appOn(url, schema);
    await app.close();
    const [pkey] = await query<{ reloptions: string[] | null }>(
      url,
      `SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = 'executions_pkey'`,
      [schema],
    );
    expect(pkey.reloptions).toEqual(['fillfactor=50']);
  });

  it('upgrades a schema of the first version under a previous-version fetch: its prepared statement keeps working', async () => {
    const schema = 'upgraded';
    const first = await appOn(url, schema, readMigrations().slice(0, 2));
    await first.close();
    // An orchestrator of the previous version, its fetch prepared before the upgrade.
    const old = new Client({ connectionString: url });
    await old.connect();
    try {
      const fetch = {
        name: 'previous_version_fetch',
        text: `SELECT * FROM ${schema}.fetch_executions($1, NULL, 10, '00000000-0000-7000-8000-000000000009')`,
        values: [['work']],
      };
      await old.query(fetch);
      const upgraded = await appOn(url, schema, readMigrations());
      await upgraded.close();
      const [version] = await query<{ version: number }>(url, `SELECT max(version) AS version FROM ${schema}.schema_migrations`);
      expect(version.version).toBe(readMigrations().length - 1);
      await query(
        url,
        `INSERT INTO ${schema}.executions (id, task, queue, payload, max_attempts) VALUES (gen_random_uuid(), 'work', 'default', '{}', 3)`,
      );
      const { rows } = await old.query(fetch);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toHaveProperty('max_attempts', 3);
    } finally {
      await old.end();
    }
  });

  it('fetches a backlog queued before the ready index lost its id by priority, then due time', async () => {
    const schema = 'reordered';
    const before = await appOn(url, schema, readMigrations().slice(0, 4));
    await before.close();
    // Priorities and due times out of order, with ties; no handler takes the task 'backlog'.
    const age = (n: number): number => (n * 7) % 11;
    await query(
      url,
      `INSERT INTO ${schema}.executions (id, task, queue, payload, max_attempts, priority, run_at)
       SELECT gen_random_uuid(), 'backlog', 'default', jsonb_build_object('n', g), 1, g % 3, now() - make_interval(secs => (g * 7) % 11)
       FROM generate_series(1, 60) AS g`,
    );
    const upgraded = await appOn(url, schema);
    await upgraded.close();
    // One at a time, as a worker with one slot and no prefetch fetches: the order of the fetches is what is promised.
    const fetched = await withAdmin(async (client) => {
      const taken: number[] = [];
      for (let k = 0; k < 60; k++) {
        const { rows } = await client.query<{ payload: { n: number } }>(
          `SELECT payload FROM ${schema}.fetch_ranked_executions(ARRAY['backlog'], NULL, 1, '00000000-0000-7000-8000-000000000009')`,
        );
        taken.push(...rows.map((row) => row.payload.n));
      }
      return taken;
    }, url);
    const keyOf = (n: number): string => `priority ${n % 3}, ${age(n)} s old`;
    const expected = Array.from({ length: 60 }, (_, i) => i + 1)
      .sort((a, b) => (b % 3) - (a % 3) || age(b) - age(a))
      .map(keyOf);
    expect(fetched.map(keyOf)).toEqual(expected);
  });

  it('keeps the finished executions of before 0006 in the default partition of the archive, where get() finds them', async () => {
    const schema = 'archived';
    const before = await appOn(url, schema, readMigrations().slice(0, 6));
    await before.close();
    const kept = await query<{ id: string }>(
      url,
      `INSERT INTO ${schema}.finished_executions
         (id, task, queue, state, payload, result, priority, attempts, max_attempts, errors, run_at, created_at, finished_at)
       SELECT gen_random_uuid(), 'work', 'default', 'completed', jsonb_build_object('n', g), jsonb_build_object('r', g), 0, 1, 3,
              '[]', now(), now(), now() - g * interval '1 minute'
       FROM generate_series(1, 30) AS g
       RETURNING id::text AS id`,
    );
    const upgraded = await appOn(url, schema);
    try {
      const queue = upgraded.get(QueueService);
      const found = await Promise.all(kept.map(async (row) => (await queue.get(row.id))?.result));
      expect(found).toEqual(Array.from({ length: 30 }, (_, i) => ({ r: i + 1 })));
      const [where] = await query<{ waiting: number; legacy: string | null }>(
        url,
        `SELECT (SELECT count(*) FROM ${schema}.archived_executions_default)::int AS waiting,
                to_regclass('${schema}.finished_executions')::text AS legacy`,
      );
      expect(where).toEqual({ waiting: 30, legacy: null });
      // New completions go to the range partitions the upgraded worker made.
      const { id } = await queue.invoke('work', { n: 100 });
      await eventually('the new job completed', async () => (await queue.get(id))?.state === 'completed');
      const [row] = await query<{ partition: string }>(
        url,
        `SELECT tableoid::regclass::text AS partition FROM ${schema}.archived_executions WHERE id = $1`,
        [id],
      );
      expect(row.partition).toMatch(/^archived\.archived_executions_\d{8}_\d{6}$/);
    } finally {
      await upgraded.close();
    }
  });

  it('raises an error other than "relation does not exist" instead of taking it for a fresh install', async () => {
    await query(url, `CREATE SCHEMA broken; CREATE TABLE broken.schema_migrations (version text)`);
    await expect(appOn(url, 'broken')).rejects.toMatchObject({ code: '42804' });
    // Nothing was installed over the broken ledger.
    const tables = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'broken'`);
    expect(tables[0].n).toBe(1);
  });

  it('bounds the wait for the migration lock, and ends it at once on shutdown', async () => {
    const app = await startConductor({ databases: { main: { url } } });
    const db = app.get<Database>(getDatabaseToken('main'));
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('conductor:migrate:locked'))`);
      const migrator = new Migrator(db, new SqlCatalog('locked'), readMigrations(), new Logger('test'));
      const settings = { schema: 'locked', orchestratorId: '00000000-0000-7000-8000-000000000009', staleAfterMs: 1_000 };

      let started = Date.now();
      await expect(
        migrator.migrate({ ...settings, lockTimeoutMs: 400, signal: new AbortController().signal }),
      ).rejects.toBeInstanceOf(MigrationLockTimeoutError);
      expect(Date.now() - started).toBeLessThan(5_000);

      const shutdown = new AbortController();
      started = Date.now();
      setTimeout(() => shutdown.abort(new Error('shutting down')), 200);
      await expect(migrator.migrate({ ...settings, lockTimeoutMs: 60_000, signal: shutdown.signal })).rejects.toThrow(
        'shutting down',
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await app.close();
    }
  });

  it('shuts down orchestrators of the older version gracefully before a breaking migration; nothing is lost', async () => {
    const database = await createTestDatabase('breaking');
    const current = readMigrations();
    const breaking = [
      ...current,
      {
        version: current.length,
        name: `${String(current.length).padStart(4, '0')}_breaking`,
        breaking: true,
        sql: 'ALTER TABLE :"schema".executions ADD COLUMN note text;',
      },
    ];
    const older = await appOn(database.url, 'conductor', current);
    let newer: TestingModule | undefined;
    try {
      const jobs = await older
        .get(QueueService)
        .invokeBatch(Array.from({ length: 50 }, (_, n) => ({ task: 'work', payload: { n } })));
      newer = await appOn(database.url, 'conductor', breaking);
      expect(older.get(Orchestrator).status().stoppedReason).toMatch(/breaking change/);
      expect(older.get(Orchestrator).status().registered).toBe(false);
      const ledger = await query<{ version: number; breaking: boolean }>(
        database.url,
        'SELECT version, breaking FROM conductor.schema_migrations ORDER BY version',
      );
      expect(ledger[ledger.length - 1]).toEqual({ version: current.length, breaking: true });
      const queue = newer.get(QueueService);
      await eventually('every job completed', async () => {
        const states = await Promise.all(jobs.map(async (j) => (await queue.get(j.id))?.state));
        return states.every((s) => s === 'completed');
      });
      const done = [...older.get(Handlers).done, ...newer.get(Handlers).done];
      expect(new Set(done).size).toBe(50);
    } finally {
      await newer?.close();
      await older.close();
      await dropTestDatabase(database.name);
    }
  });
});
