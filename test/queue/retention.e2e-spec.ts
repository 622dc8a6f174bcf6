import { Logger } from '@nestjs/common';
import { validateQueueOptions } from '@conductor/nestjs/options/validate-queue-options';
import { Maintenance, RETENTION_BATCH } from '@conductor/nestjs/queue/maintenance';
import { SqlCatalog } from '@conductor/nestjs/queue/sql/sql-catalog';
import { useQueueApp } from '../support/queue-app';

const HOUR = 60 * 60 * 1_000;
/** More than two cleanup batches: a cleanup that stopped after its first batch would leave rows. */
const EXPIRED_FINISHED = 2 * RETENTION_BATCH + 600;
const EXPIRED_KEYS = 2 * RETENTION_BATCH + 300;

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

  /** Adds `count` finished executions that finished `ageMs` ago, tagged with `tag` in their payload. */
  const addFinished = async (count: number, ageMs: number, tag: string): Promise<void> => {
    await q.db.query(
      `INSERT INTO conductor.finished_executions
         (id, task, queue, state, payload, priority, attempts, max_attempts, errors, run_at, created_at, finished_at)
       SELECT gen_random_uuid(), 'retention.task', 'default', 'completed', jsonb_build_object('tag', $1::text, 'i', g),
              0, 1, 3, '[]', now(), now(), now() - $2::float8 * interval '1 millisecond'
       FROM generate_series(1, $3::int) AS g`,
      [tag, ageMs, count],
    );
  };

  /** Adds `count` idempotency keys made `ageMs` ago, named `<tag>-<i>`. */
  const addKeys = async (count: number, ageMs: number, tag: string): Promise<void> => {
    await q.db.query(
      `INSERT INTO conductor.idempotency_keys (task, key, execution_id, created_at)
       SELECT 'retention.task', $1::text || '-' || g, gen_random_uuid(), now() - $2::float8 * interval '1 millisecond'
       FROM generate_series(1, $3::int) AS g`,
      [tag, ageMs, count],
    );
  };

  const finishedTags = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await q.db.query<{ tag: string; n: number }>(
          `SELECT payload->>'tag' AS tag, count(*)::int AS n FROM conductor.finished_executions GROUP BY 1`,
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
    await q.db.query('DELETE FROM conductor.finished_executions');
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
});
