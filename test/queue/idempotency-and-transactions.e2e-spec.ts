import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { Task, type TaskContext } from '@conductor/nestjs';
import { type PreparedItem, documentParams, insertValues } from '@conductor/nestjs/queue/insert-params';
import { SqlCatalog } from '@conductor/nestjs/queue/sql/sql-catalog';
import { type QueueApp, eventually, startProxiedQueueApp, useQueueApp } from '../support/queue-app';
import { withAdmin } from '../support/test-database';

@Injectable()
class Handlers {
  readonly ran: string[] = [];
  /** Whether each transactional run got an AbortSignal in its context. */
  readonly signals: boolean[] = [];
  blockTransactional = false;
  url?: string;

  @Task('record')
  async record(payload: { tag: string }): Promise<void> {
    this.ran.push(payload.tag);
  }

  @Task('effect', { transactional: true })
  async effect(payload: { tag: string }, ctx: TaskContext): Promise<string> {
    this.signals.push(ctx.signal instanceof AbortSignal);
    await ctx.manager!.query('INSERT INTO effects (tag, attempt) VALUES ($1, $2)', [payload.tag, ctx.attempt]);
    if (this.blockTransactional && ctx.attempt === 1) {
      // The lease is revoked (from another connection, as a sweep would) while this attempt's
      // transaction is open: its completion must not commit, and neither must the effect written above.
      await withAdmin(
        (client) =>
          client.query(`UPDATE conductor.executions SET state = 'queued', lease = NULL, locked_by = NULL WHERE id = $1`, [
            ctx.id,
          ]),
        this.url!,
      );
    }
    return `done at attempt ${ctx.attempt}`;
  }
}

async function count(q: Pick<QueueApp, 'db'>, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await q.db.query<{ n: number }>(sql, params);
  return row.n;
}

describe('queue: idempotency keys and transactions', () => {
  const q = useQueueApp('idem', [Handlers]);
  let handlers: Handlers;

  beforeAll(async () => {
    handlers = q.app.get(Handlers);
    handlers.url = q.database.url;
    await q.db.query('CREATE TABLE effects (tag text NOT NULL, attempt int NOT NULL)');
  });

  it('gives 25 concurrent invokes with one key a single execution', async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, () => q.queue.invoke('record', { tag: 'race' }, { idempotencyKey: 'order-1' })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(await count(q, `SELECT count(*)::int AS n FROM conductor.idempotency_keys WHERE key = 'order-1'`)).toBe(1);
    await eventually('ran', () => handlers.ran.includes('race'));
    // After completion the key still deduplicates (kept for the retention period).
    const again = await q.queue.invoke('record', { tag: 'race' }, { idempotencyKey: 'order-1' });
    expect(again).toEqual({ id: results[0].id, deduplicated: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(handlers.ran.filter((t) => t === 'race')).toHaveLength(1);
  });

  it('scopes keys per task and deduplicates repeated keys inside one batch', async () => {
    const [a, b, c] = await q.queue.invokeBatch([
      { task: 'record', payload: { tag: 'batch-a' }, opts: { idempotencyKey: 'k' } },
      { task: 'record', payload: { tag: 'batch-b' }, opts: { idempotencyKey: 'k' } },
      { task: 'effect', payload: { tag: 'batch-c' }, opts: { idempotencyKey: 'k' } },
    ]);
    expect(b).toEqual({ id: a.id, deduplicated: true });
    expect(a.deduplicated).toBe(false);
    expect(c.deduplicated).toBe(false);
    expect(c.id).not.toBe(a.id);
  });

  it('enqueues exactly once when the acknowledgement of the insert is lost and the call is retried', async () => {
    const viaProxy = await startProxiedQueueApp(q.database.url, [], { workers: false, strict: false });
    const { proxy } = viaProxy;
    try {
      await viaProxy.queue.stats(); // warm: connections open through the proxy
      await proxy.setMode('cut', { times: 1 });
      const keyed = await viaProxy.queue.invoke('record', { tag: 'cut-keyed' }, { idempotencyKey: 'cut-1' });
      expect(proxy.cuts).toBe(1);
      expect(keyed.deduplicated).toBe(false);
      await proxy.setMode('cut', { times: 1 });
      const unkeyed = await viaProxy.queue.invoke('record', { tag: 'cut-plain' });
      expect(proxy.cuts).toBe(2);
      await eventually('both ran', () => handlers.ran.includes('cut-keyed') && handlers.ran.includes('cut-plain'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(handlers.ran.filter((t) => t === 'cut-keyed')).toHaveLength(1);
      expect(handlers.ran.filter((t) => t === 'cut-plain')).toHaveLength(1);
      expect((await q.queue.get(keyed.id))?.state).toBe('completed');
      expect((await q.queue.get(unkeyed.id))?.state).toBe('completed');
    } finally {
      await viaProxy.close();
    }
  });

  it('enqueues once when a retried insert finds its first try still queued, alone or in a batch', async () => {
    // No process runs `parked`: the first try's rows are still in the hot table when the retry comes,
    // which must skip them (a plain insert would fail on the primary key, or insert them twice).
    const viaProxy = await startProxiedQueueApp(q.database.url, [], { workers: false, strict: false });
    const { proxy } = viaProxy;
    try {
      await viaProxy.queue.stats();
      await proxy.setMode('cut', { times: 1 });
      const single = await viaProxy.queue.invoke('parked', { tag: 'parked-1' });
      expect(proxy.cuts).toBe(1);
      await proxy.setMode('cut', { times: 1 });
      const batch = await viaProxy.queue.invokeBatch([
        { task: 'parked', payload: { tag: 'parked-2' } },
        { task: 'parked', payload: { tag: 'parked-3' } },
      ]);
      expect(proxy.cuts).toBe(2);
      const rows = await q.db.query<{ id: string; tag: string }>(
        `SELECT id::text AS id, payload->>'tag' AS tag FROM conductor.executions WHERE task = 'parked' ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: single.id, tag: 'parked-1' },
        { id: batch[0].id, tag: 'parked-2' },
        { id: batch[1].id, tag: 'parked-3' },
      ]);
      expect([single, ...batch].every((r) => !r.deduplicated)).toBe(true);
    } finally {
      await viaProxy.close();
    }
  });

  it('enqueues nothing when a retried insert meets its first try being completed', async () => {
    // The first try committed, a worker ran it, and its completion (moving it to the archive) is open
    // when the retry runs: the retry's snapshot sees neither an archived row nor, once it has waited for
    // the completion, a live one. It used to insert the execution again, and it ran twice.
    const id = '019300aa-0000-7000-8000-00000000c0de';
    const catalog = new SqlCatalog('conductor');
    await q.db.query(
      `INSERT INTO conductor.executions (id, task, queue, payload, max_attempts, state, attempts, lease, locked_at)
       VALUES ($1, 'parked', 'default', '{"tag":"completing"}', 3, 'running', 1, 9000001, now())`,
      [id],
    );
    const completing = new Client({ connectionString: q.database.url });
    const retrying = new Client({ connectionString: q.database.url });
    await Promise.all([completing.connect(), retrying.connect()]);
    try {
      await completing.query('BEGIN');
      const completion = catalog.get('complete_executions');
      expect((await completing.query(completion.text, [['9000001'], null])).rows).toEqual([]);
      const item: PreparedItem = {
        id,
        task: 'parked',
        queue: 'default',
        maxAttempts: 3,
        payload: '{"tag":"completing"}',
        optionMembers: '',
      };
      const [{ pid: retryPid }] = (await retrying.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      const retry = retrying.query(
        catalog.get('insert_executions_keyed').text,
        insertValues(documentParams([item]), 'idem_test'),
      );
      // Wait until the retry finished or waits for the completion's lock, then commit the completion.
      let settled = false;
      void retry.then(
        () => (settled = true),
        () => (settled = true),
      );
      await eventually('the retry finished or waits for a lock', async () => {
        if (settled) return true;
        const [row] = (
          await completing.query<{ waiting: boolean }>(
            `SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1`,
            [retryPid],
          )
        ).rows;
        return row?.waiting === true;
      });
      await completing.query('COMMIT');
      await retry;
      expect(await count(q, 'SELECT count(*)::int AS n FROM conductor.executions WHERE id = $1', [id])).toBe(0);
      expect(await count(q, 'SELECT count(*)::int AS n FROM conductor.archived_executions WHERE id = $1', [id])).toBe(1);
    } finally {
      await Promise.all([completing.end(), retrying.end()]);
    }
  });

  it('joins the caller transaction: a rolled-back invoke never runs, a committed one does', async () => {
    let rolledBackId = '';
    await expect(
      q.db.transaction(async () => {
        rolledBackId = (await q.queue.invoke('record', { tag: 'rolled-back' })).id;
        throw new Error('the order failed');
      }),
    ).rejects.toThrow('the order failed');
    const committed = await q.db.transaction(async () => q.queue.invoke('record', { tag: 'committed' }));
    await eventually('committed ran', () => handlers.ran.includes('committed'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(handlers.ran).not.toContain('rolled-back');
    expect(await q.queue.get(rolledBackId)).toBeUndefined();
    expect((await q.queue.get(committed.id))?.state).toBe('completed');
  });

  it('commits a transactional handler’s writes and its completion together', async () => {
    const { id } = await q.queue.invoke('effect', { tag: 'tx-ok' });
    await eventually('effect completed', async () => (await q.queue.get(id))?.state === 'completed');
    expect(await count(q, `SELECT count(*)::int AS n FROM effects WHERE tag = 'tx-ok'`)).toBe(1);
    expect((await q.queue.get(id))?.result).toBe('done at attempt 1');
    expect(handlers.signals.length).toBeGreaterThan(0);
    expect(handlers.signals.every(Boolean)).toBe(true);
  });

  it('leaves neither half when the completion cannot commit (lease lost mid-transaction)', async () => {
    handlers.blockTransactional = true;
    try {
      const { id } = await q.queue.invoke('effect', { tag: 'tx-lost' });
      await eventually('effect completed by a later attempt', async () => (await q.queue.get(id))?.state === 'completed');
      const effects = await q.db.query<{ attempt: number }>(`SELECT attempt FROM effects WHERE tag = 'tx-lost'`);
      // Attempt 1 wrote its effect, then lost its lease: the effect rolled back with the completion.
      expect(effects.map((e) => e.attempt)).toEqual([2]);
      expect((await q.queue.get(id))?.result).toBe('done at attempt 2');
    } finally {
      handlers.blockTransactional = false;
    }
  });
});
