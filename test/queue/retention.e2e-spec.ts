import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { validateQueueOptions } from '@conductor/nestjs/options/validate-queue-options';
import { Maintenance, RETENTION_BATCH } from '@conductor/nestjs/queue/maintenance';
import { SqlCatalog } from '@conductor/nestjs/queue/sql/sql-catalog';
import { useQueueApp } from '../support/queue-app';

const HOUR = 60 * 60 * 1_000;
/** More than two cleanup batches: a cleanup that stopped after its first batch would leave rows. */
const EXPIRED_FINISHED = 2 * RETENTION_BATCH + 600;
const EXPIRED_KEYS = 2 * RETENTION_BATCH + 300;
/** The age in ms of row g of $3 rows spread evenly from $2 ms old (the first) to $4 ms old (the last). */
const AGE_OF_ROW_G = '($2::float8 - ($2::float8 - $4::float8) * (g - 1) / greatest($3::int - 1, 1))';

describe('queue: retention cleanup', () => {
  const q = useQueueApp('retention', []);

  /** A Maintenance of its own, never started: the test calls its cleanup and nothing else runs it. */
  const maintenance = (retentionMs: number, idempotencyRetentionMs: number): Maintenance =>
    new Maintenance(
      q.db,
      new SqlCatalog('conductor'),
      validateQueueOptions({ database: 'main', retentionMs, idempotencyRetentionMs }, ['main']),
      '00000000-0000-7000-8000-0000000000aa',
      () => undefined,
      new Logger('retention test'),
    );

  /**
   * Adds `count` finished executions tagged with `tag` in their payload, in the order they finished: the
   * first `ageMs` ago, the last `newestAgeMs` ago (the same age for all by default).
   */
  const addFinished = async (count: number, ageMs: number, tag: string, newestAgeMs = ageMs): Promise<void> => {
    await q.db.query(
      `INSERT INTO conductor.archived_executions
         (id, task, queue, state, payload, priority, attempts, max_attempts, errors, run_at, created_at, finished_at)
       SELECT gen_random_uuid(), 'retention.task', 'default', 'completed', jsonb_build_object('tag', $1::text, 'i', g),
              0, 1, 3, '[]', now(), now(), now() - ${AGE_OF_ROW_G} * interval '1 millisecond'
       FROM generate_series(1, $3::int) AS g`,
      [tag, ageMs, count, newestAgeMs],
    );
  };

  /** Adds `count` idempotency keys named `<tag>-<i>`, in the order they were made: `ageMs` ago to `newestAgeMs` ago. */
  const addKeys = async (count: number, ageMs: number, tag: string, newestAgeMs = ageMs): Promise<void> => {
    await q.db.query(
      `INSERT INTO conductor.idempotency_keys (task, key, execution_id, created_at)
       SELECT 'retention.task', $1::text || '-' || g, gen_random_uuid(), now() - ${AGE_OF_ROW_G} * interval '1 millisecond'
       FROM generate_series(1, $3::int) AS g`,
      [tag, ageMs, count, newestAgeMs],
    );
  };

  const finishedTags = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await q.db.query<{ tag: string; n: number }>(
          `SELECT payload->>'tag' AS tag, count(*)::int AS n FROM conductor.archived_executions GROUP BY 1`,
        )
      ).map((r) => [r.tag, r.n]),
    );

  const keyTags = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await q.db.query<{ tag: string; n: number }>(
          `SELECT split_part(key, '-', 1) AS tag, count(*)::int AS n FROM conductor.idempotency_keys GROUP BY 1`,
        )
      ).map((r) => [r.tag, r.n]),
    );

  afterEach(async () => {
    await q.db.query('DELETE FROM conductor.archived_executions');
    await q.db.query('DELETE FROM conductor.idempotency_keys');
  });

  it('deletes every finished execution and key past its retention, over several batches, and nothing newer', async () => {
    await addFinished(EXPIRED_FINISHED, 2 * HOUR, 'old');
    await addFinished(40, 30 * 60 * 1_000, 'recent');
    await addKeys(EXPIRED_KEYS, 3 * HOUR, 'old');
    await addKeys(30, 50 * 60 * 1_000, 'recent');
    // A queued execution created long ago: the hot table is not retention's business.
    const [{ id }] = await q.db.query<{ id: string }>(
      `INSERT INTO conductor.executions (id, task, queue, payload, max_attempts, created_at, run_at)
       VALUES (gen_random_uuid(), 'retention.elsewhere', 'default', '{}', 3, now() - interval '1 day', now() + interval '1 day')
       RETURNING id::text AS id`,
    );

    await maintenance(HOUR, 2 * HOUR).cleanup();

    expect(await finishedTags()).toEqual({ recent: 40 });
    expect(await keyTags()).toEqual({ recent: 30 });
    expect((await q.queue.get(id))?.state).toBe('queued');
  });

  it('applies each retention to its own table', async () => {
    // Finished executions kept a day, keys ten minutes: old keys go, the same age of execution stays.
    await addFinished(25, 2 * HOUR, 'kept');
    await addKeys(35, 2 * HOUR, 'old');

    await maintenance(24 * HOUR, 10 * 60 * 1_000).cleanup();

    expect(await finishedTags()).toEqual({ kept: 25 });
    expect(await keyTags()).toEqual({});
  });

  it('reads about the pages it deletes from, once new rows have reused the space of deleted ones', async () => {
    // A deployment that has run a while, in both tables: the older part of a first generation was cleaned
    // up, VACUUM handed its space on, and a second generation was written into it. A third of what is
    // left of the first generation (about 3,300 rows, in the middle of the table) is now past the
    // retention of 5 h.
    const tables = [
      // Rows no range partition covers wait in the default partition, which is cleaned row by row.
      { name: 'archived_executions_default', cte: 'CTE finished', time: 'finished_at', add: addFinished },
      { name: 'idempotency_keys', cte: 'CTE keys', time: 'created_at', add: addKeys },
    ];
    const session = new Client({ connectionString: q.database.url });
    await session.connect();
    try {
      for (const table of tables) {
        await table.add(40_000, 10 * HOUR, 'first', 4 * HOUR);
        await session.query(`DELETE FROM conductor.${table.name} WHERE ${table.time} < now() - interval '5.5 hours'`);
        await session.query(`VACUUM conductor.${table.name}`);
        // The newest half an hour old: the range partitions made at the start cover only the present.
        await table.add(40_000, 4 * HOUR, 'second', HOUR / 2);
        await session.query(`VACUUM ANALYZE conductor.${table.name}`);
      }
      const pagesOf = async (table: string): Promise<number> =>
        (
          await session.query<{ pages: number }>(
            `SELECT (pg_relation_size('conductor.${table}') / current_setting('block_size')::int)::int AS pages`,
          )
        ).rows[0].pages;
      // Rows become expired as the test runs (one every half second): count against one fixed moment.
      const [{ cutoff }] = (await session.query<{ cutoff: string }>(`SELECT (now() - interval '5 hours')::text AS cutoff`)).rows;
      /** Rows of `table` older and not older than the cutoff. */
      const counts = async (table: string, time: string): Promise<{ older: number; newer: number }> =>
        (
          await session.query<{ older: number; newer: number }>(
            `SELECT count(*) FILTER (WHERE ${time} < $1::timestamptz)::int AS older,
                    count(*) FILTER (WHERE ${time} >= $1::timestamptz)::int AS newer
             FROM conductor.${table}`,
            [cutoff],
          )
        ).rows[0];
      const before = await Promise.all(
        tables.map(async (t) => ({ pages: await pagesOf(t.name), ...(await counts(t.name, t.time)) })),
      );
      const statement = new SqlCatalog('conductor').get('delete_expired');
      await session.query(`PREPARE cleanup(float8, float8, int) AS ${statement.text}`);

      // Twice: as planned for these values, and as the prepared statement's generic plan, which knows none.
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        await session.query(`SET plan_cache_mode = ${mode}`);
        const [row] = (
          await session.query<{ 'QUERY PLAN': ExplainedPlan[] }>(
            `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE cleanup(${5 * HOUR}, ${5 * HOUR}, ${RETENTION_BATCH})`,
          )
        ).rows;
        tables.forEach((table, i) => {
          const deletion = row['QUERY PLAN'][0].Plan.Plans?.find((p) => p['Subplan Name'] === table.cte);
          // The search for the batch, the InitPlan that picks its ctids: deleting them costs the same either way.
          const search = deletion?.Plans?.find((p) => p['Parent Relationship'] === 'InitPlan');
          if (!deletion || !search) throw new Error(`unexpected plan: ${JSON.stringify(row['QUERY PLAN'])}`);
          expect({ table: table.name, mode, deleted: deletion['Actual Rows'] }).toEqual({
            table: table.name,
            mode,
            deleted: RETENTION_BATCH,
          });
          // A batch's rows fill about 20 pages here, or 10 (keys); now the search reads 29 and 61 buffers of
          // 1,064 pages, and 18 and 39 of 516. Through the BRIN indexes it read most of the reused pages
          // before it reached an expired row: 208 and 739 buffers, 262 for keys in the custom plan.
          const buffers = search['Shared Hit Blocks'] + search['Shared Read Blocks'];
          expect({ table: table.name, mode, buffersUnderAnEighthOfPages: buffers < before[i].pages / 8, buffers }).toEqual({
            table: table.name,
            mode,
            buffersUnderAnEighthOfPages: true,
            buffers,
          });
        });
      }
      // The oldest expired rows went, and only they: there were more than the two batches took.
      for (const [i, table] of tables.entries()) {
        expect(before[i].older).toBeGreaterThan(2 * RETENTION_BATCH);
        expect(await counts(table.name, table.time)).toEqual({
          older: before[i].older - 2 * RETENTION_BATCH,
          newer: before[i].newer,
        });
      }
      expect((await finishedTags()).second).toBe(40_000);
      expect((await keyTags()).second).toBe(40_000);
    } finally {
      await session.end();
    }
  });
});

/** The part of `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` output the test above reads. */
interface ExplainedPlan {
  Plan: ExplainedNode;
}

interface ExplainedNode {
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  'Actual Rows': number;
  'Subplan Name'?: string;
  'Parent Relationship'?: string;
  Plans?: ExplainedNode[];
}
