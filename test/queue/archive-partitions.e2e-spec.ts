import { Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { Task } from '@conductor/nestjs';
import { validateQueueOptions } from '@conductor/nestjs/options/validate-queue-options';
import { ARCHIVE_PARTITIONS_AHEAD, archivePartitionWidthMs } from '@conductor/nestjs/queue/archive-partitions';
import { Maintenance } from '@conductor/nestjs/queue/maintenance';
import { SqlCatalog } from '@conductor/nestjs/queue/sql/sql-catalog';
import { eventually, startQueueApp, useQueueApp } from '../support/queue-app';

const HOUR = 60 * 60 * 1_000;
const MINUTE = 60 * 1_000;

@Injectable()
class ArchiveHandlers {
  @Task('archive.work')
  async work(payload: { n: number }): Promise<{ doubled: number }> {
    return { doubled: payload.n * 2 };
  }
}

interface Partition {
  name: string;
  startsAgoMs: number;
  endsAgoMs: number;
}

describe('queue: finished executions kept in partitions by the time they finished', () => {
  // Nothing here runs workers but the first test's app: partitions are made by the calls under test.
  const q = useQueueApp('archive', [], { workers: false });

  /** The range partitions, oldest first, with their bounds as ms before now (negative: ahead). */
  const partitions = async (): Promise<Partition[]> =>
    q.db.query<Partition>(
      `SELECT name,
              round(extract(epoch FROM now() - starts_at) * 1000)::float8 AS "startsAgoMs",
              round(extract(epoch FROM now() - ends_at) * 1000)::float8 AS "endsAgoMs"
       FROM conductor.archive_partitions() ORDER BY starts_at`,
    );

  /** Adds a completed execution tagged `tag` that finished `agoMs` ago; returns its id. */
  const addFinished = async (tag: string, agoMs: number): Promise<string> => {
    const [row] = await q.db.query<{ id: string }>(
      `INSERT INTO conductor.archived_executions
         (id, task, queue, state, payload, priority, attempts, max_attempts, errors, run_at, created_at, finished_at)
       VALUES (gen_random_uuid(), 'archive.task', 'default', 'completed', jsonb_build_object('tag', $1::text), 0, 1, 3, '[]',
               now(), now(), now() - $2::float8 * interval '1 millisecond')
       RETURNING id::text AS id`,
      [tag, agoMs],
    );
    return row.id;
  };

  /** Where each tag's row is now: the partition that holds it, or absent. */
  const whereAre = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (
        await q.db.query<{ tag: string; partition: string }>(
          `SELECT payload->>'tag' AS tag, tableoid::regclass::text AS partition FROM conductor.archived_executions`,
        )
      ).map((r) => [r.tag, r.partition.replace(/^conductor\./, '')]),
    );

  const maintenance = (retentionMs: number): Maintenance =>
    new Maintenance(
      q.db,
      new SqlCatalog('conductor'),
      validateQueueOptions({ database: 'main', retentionMs, idempotencyRetentionMs: HOUR }, ['main']),
      '00000000-0000-7000-8000-0000000000ab',
      () => undefined,
      new Logger('archive test'),
    );

  /** Makes partitions as if the maintenance had run `agoMs` ago with these widths. */
  const prepareAsOf = async (agoMs: number, widthMs: number, aheadMs: number): Promise<number> => {
    const [row] = await q.db.query<{ made: number }>(
      `SELECT conductor.prepare_archive_partitions(now() - $1::float8 * interval '1 millisecond',
                                                   $2::float8 * interval '1 millisecond', $3::float8 * interval '1 millisecond') AS made`,
      [agoMs, widthMs, aheadMs],
    );
    return row.made;
  };

  afterEach(async () => {
    for (const p of await partitions()) await q.db.query(`DROP TABLE conductor."${p.name}"`);
    await q.db.query('DELETE FROM conductor.archived_executions');
  });

  it('makes partitions ahead before a worker starts, and completions land in them, found by get()', async () => {
    const worker = await startQueueApp(q.database.url, [ArchiveHandlers], { retentionMs: HOUR });
    try {
      const width = archivePartitionWidthMs(HOUR);
      const made = await partitions();
      // From the current minute to two widths ahead, contiguous, each one width wide.
      expect(made.length).toBeGreaterThanOrEqual(ARCHIVE_PARTITIONS_AHEAD + 1);
      expect(made[0].startsAgoMs).toBeGreaterThanOrEqual(0);
      expect(made[made.length - 1].endsAgoMs).toBeLessThanOrEqual(-ARCHIVE_PARTITIONS_AHEAD * width);
      made.forEach((p, i) => {
        expect(p.startsAgoMs - p.endsAgoMs).toBe(width);
        if (i > 0) expect(p.startsAgoMs).toBe(made[i - 1].endsAgoMs);
      });

      const jobs = await worker.queue.invokeBatch(
        Array.from({ length: 20 }, (_, n) => ({ task: 'archive.work', payload: { n } })),
      );
      await eventually('every job completed', async () => {
        const states = await Promise.all(jobs.map(async (j) => (await worker.queue.get(j.id))?.state));
        return states.every((s) => s === 'completed');
      });
      const found = await Promise.all(jobs.map(async (j) => (await worker.queue.get(j.id))?.result));
      expect(found).toEqual(Array.from({ length: 20 }, (_, n) => ({ doubled: n * 2 })));
      const [counts] = await q.db.query<{ all: number; waiting: number }>(
        `SELECT (SELECT count(*) FROM conductor.archived_executions)::int AS all,
                (SELECT count(*) FROM conductor.archived_executions_default)::int AS waiting`,
      );
      expect(counts).toEqual({ all: 20, waiting: 0 });
      expect((await worker.queue.stats()).completedLastMinute).toBe(20);
    } finally {
      await worker.close();
    }
  });

  it('drops the partitions that ended before the retention with their rows, keeps the rest, and deletes expired rows of the default one', async () => {
    // Partitions an hour wide made six hours ago, to cover 1 h 30 min ahead then: [-6 h, -5 h) and [-5 h, -4 h).
    expect(await prepareAsOf(6 * HOUR, HOUR, 1.5 * HOUR)).toBe(2);
    await addFinished('in the first', 5.5 * HOUR);
    await addFinished('in the second', 4.5 * HOUR);
    await addFinished('waiting, older', 3.5 * HOUR);
    await addFinished('waiting, newer', 0.5 * HOUR);
    const before = await partitions();
    expect(await whereAre()).toEqual({
      'in the first': before[0].name,
      'in the second': before[1].name,
      'waiting, older': 'archived_executions_default',
      'waiting, newer': 'archived_executions_default',
    });

    // A retention of 4 h 45 min: the first partition ended 5 h ago and goes whole; the second ends 4 h
    // ago, so its row, expired, stays until all of the partition has (a width longer at most).
    await maintenance(4.75 * HOUR).cleanup();
    const after = await partitions();
    expect(after.map((p) => p.name)).not.toContain(before[0].name);
    expect(after.map((p) => p.name)).toContain(before[1].name);
    // The gap since the last partition is not filled: new ones start at the present minute.
    const width = archivePartitionWidthMs(4.75 * HOUR);
    const fresh = after.filter((p) => p.name !== before[1].name);
    expect(fresh[0].startsAgoMs).toBeGreaterThanOrEqual(0);
    expect(fresh[0].startsAgoMs).toBeLessThan(MINUTE + 5_000);
    expect(fresh[fresh.length - 1].endsAgoMs).toBeLessThanOrEqual(-ARCHIVE_PARTITIONS_AHEAD * width);
    expect(Object.keys(await whereAre()).sort()).toEqual(['in the second', 'waiting, newer', 'waiting, older']);

    // A retention of 3 h: the second partition goes, and the older waiting row, deleted as a row.
    await maintenance(3 * HOUR).cleanup();
    expect((await partitions()).map((p) => p.name)).not.toContain(before[1].name);
    expect(await whereAre()).toEqual({ 'waiting, newer': 'archived_executions_default' });
  });

  it('moves rows that waited in the default partition into the partition made for their time; nothing is lost', async () => {
    // Finished while no process made partitions (none exist): they wait in the default partition.
    const base = 5 * HOUR;
    const ids = {
      before: await addFinished('before', base + 10 * MINUTE),
      first: await addFinished('first', base - 10 * MINUTE),
      second: await addFinished('second', base - 70 * MINUTE),
    };
    expect(Object.values(await whereAre())).toEqual(Array(3).fill('archived_executions_default'));

    expect(await prepareAsOf(base, HOUR, 1.5 * HOUR)).toBe(2);
    const made = await partitions();
    expect(await whereAre()).toEqual({ before: 'archived_executions_default', first: made[0].name, second: made[1].name });
    for (const [tag, id] of Object.entries(ids)) {
      expect({ tag, found: await q.queue.get(id) }).toMatchObject({ tag, found: { state: 'completed', payload: { tag } } });
    }
    // Called again at once: everything is covered, nothing more is made.
    expect(await prepareAsOf(base, HOUR, 1.5 * HOUR)).toBe(0);
  });

  it('still deletes the expired rows when making partitions fails, and reports the failure', async () => {
    await addFinished('expired', 2 * HOUR);
    await addFinished('kept', 10 * MINUTE);
    // Tables in the way of the first partition it would make, named for this minute and the next.
    const inTheWay = (
      await q.db.query<{ name: string }>(
        `SELECT 'archived_executions_' || to_char(date_trunc('minute', now()) AT TIME ZONE 'UTC' + m * interval '1 minute',
                                                  'YYYYMMDD"_"HH24MISS') AS name
         FROM generate_series(0, 1) AS m`,
      )
    ).map((row) => row.name);
    for (const name of inTheWay) await q.db.query(`CREATE TABLE conductor."${name}" (x integer)`);
    try {
      await expect(maintenance(HOUR).cleanup()).rejects.toThrow(/already exists/);
      expect(await whereAre()).toEqual({ kept: 'archived_executions_default' });
      expect(await partitions()).toEqual([]);
    } finally {
      for (const name of inTheWay) await q.db.query(`DROP TABLE conductor."${name}"`);
    }
  });

  it('refuses a partition width under a second, naming it', async () => {
    await expect(prepareAsOf(0, 10, HOUR)).rejects.toThrow(/at least a second wide, got 00:00:00\.01/);
    expect(await partitions()).toEqual([]);
  });

  it('makes and drops nothing while a statement holds the table past 500 ms, and does both once it lets go', async () => {
    await prepareAsOf(3 * HOUR, HOUR, MINUTE);
    await addFinished('waiting', 30 * MINUTE);
    const holder = new Client({ connectionString: q.database.url });
    const cleaner = new Client({ connectionString: q.database.url });
    await Promise.all([holder.connect(), cleaner.connect()]);
    const drop = async (): Promise<number> =>
      (await cleaner.query<{ dropped: number }>('SELECT conductor.drop_archive_partitions(now()) AS dropped')).rows[0].dropped;
    // Attaching any partition locks the default one, which the holder reads with the rest of the table.
    const prepare = async (): Promise<number> =>
      (
        await cleaner.query<{ made: number }>(
          `SELECT conductor.prepare_archive_partitions(now(), interval '1 hour', interval '1 hour') AS made`,
        )
      ).rows[0].made;
    try {
      // A long read of finished executions, as a slow stats() or get() would be.
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM conductor.archived_executions');
      for (const attempt of [drop, prepare]) {
        const started = Date.now();
        expect(await attempt()).toBe(0);
        const waitedMs = Date.now() - started;
        expect(waitedMs).toBeGreaterThanOrEqual(450);
        expect(waitedMs).toBeLessThan(5_000);
      }
      expect(await partitions()).toHaveLength(1);
      expect(await whereAre()).toEqual({ waiting: 'archived_executions_default' });
      // The lock_timeout it waits by stays inside the function.
      expect(
        (await cleaner.query<{ timeout: string }>(`SELECT current_setting('lock_timeout') AS timeout`)).rows[0].timeout,
      ).toBe('0');
      await holder.query('COMMIT');
      expect(await drop()).toBe(1);
      expect(await prepare()).toBeGreaterThanOrEqual(2);
      expect((await partitions())[0].startsAgoMs).toBeGreaterThanOrEqual(0);
      // Older than the new partitions: it stays where it was, through the attempt that gave up as well.
      expect(await whereAre()).toEqual({ waiting: 'archived_executions_default' });
    } finally {
      await Promise.all([holder.end(), cleaner.end()]);
    }
  });
});
