import { Injectable } from '@nestjs/common';
import { type Database, InjectDatabase, Orchestrator, Task, type TaskContext } from '@conductor/nestjs';
import { FAST_QUEUE, eventually, startQueueApp, useQueueApp } from '../support/queue-app';
import { tablesOf } from '../support/schema-tables';
import type { Cell } from './support/markdown-table';
import { writeSection } from './support/reliability-report';

// What test/queue/invoke-validation.e2e-spec.ts (bad payloads and options, strange task and queue names
// stored as data, 100,000 items chunked), migrations.e2e-spec.ts (a schema named `we"ird; schema`) and
// scheduling.e2e-spec.ts (non-Error throws, NUL and BigInt results, handlers that never settle) check is
// not repeated here. This file adds: strange names end to end (schema, task and queue, with workers and
// LISTEN), concurrent replay and cancel of the same ids, more unstorable results, and the memory an
// invokeBatch of 100,000 items costs.

const STRANGE_TASK = `t'a"s;k\\ --ü☃`;
const STRANGE_SCHEMAS = [`q"uo'te"s`, `semi; DROP SCHEMA conductor CASCADE; --`, `back\\slash ünïcødé ☃ 𝄞`];
/** The queue's tables, as tablesOf lists them. */
const QUEUE_TABLES = ['archived_executions', 'executions', 'idempotency_keys', 'orchestrators', 'schema_migrations'];

/** Flipped by the replay test: attempts fail until it is set. */
const flaky = { healthy: false };

@Injectable()
class BadInputHandlers {
  constructor(@InjectDatabase('main') private readonly db: Database) {}

  @Task(STRANGE_TASK)
  async strange(payload: { s: string }): Promise<{ echo: string }> {
    return { echo: payload.s };
  }

  @Task('bad.flaky', { maxAttempts: 1 })
  async flaky(_payload: unknown, ctx: TaskContext): Promise<void> {
    if (!flaky.healthy) throw new Error('not yet');
    await this.db.query('INSERT INTO replay_runs (execution_id) VALUES ($1)', [ctx.id]);
  }

  @Task('bad.result', { maxAttempts: 2 })
  async result(payload: { kind: string }): Promise<unknown> {
    return unstorable(payload.kind);
  }
}

/** A name as a JSON string with non-ASCII characters escaped: table widths in the report stay exact. */
function printable(name: string): string {
  return JSON.stringify(name).replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** Results JSON cannot hold, each its own way. */
function unstorable(kind: string): unknown {
  if (kind === 'cycle') {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    return cycle;
  }
  if (kind === 'throwing toJSON')
    return {
      toJSON: () => {
        throw new Error('toJSON exploded');
      },
    };
  if (kind === 'symbol') return { s: Symbol('x') };
  if (kind === 'nested BigInt') return { deep: [{ n: 10n }] };
  if (kind === 'oversized') return { blob: 'x'.repeat(2_000_000) };
  return { fine: kind };
}

describe('reliability: bad input', () => {
  const q = useQueueApp('badinput', [BadInputHandlers], { maxPayloadBytes: 1_000_000 });
  const names: Record<string, Cell>[] = [];
  const races: Record<string, Cell>[] = [];
  const results: Record<string, Cell>[] = [];
  const memory: Record<string, Cell>[] = [];

  beforeAll(async () => {
    await q.db.query('CREATE TABLE replay_runs (execution_id uuid NOT NULL)');
  });

  afterAll(() => {
    writeSection('bad-input', {
      summary:
        'Bad input that the other queue tests do not cover, each with the figures it produced. Every case must ' +
        'leave data and schema intact and end in a clear state: done, or dead with an error that names the problem.',
      tables: [
        { caption: 'Schema, task and queue names with quotes, semicolons, backslashes and unicode', rows: names },
        { caption: 'Concurrent `replay` and `cancel` of the same dead executions', rows: races },
        { caption: 'Handlers returning values that cannot be stored', rows: results },
        { caption: '`invokeBatch` of 100,000 items', rows: memory },
      ],
    });
  });

  it.each(STRANGE_SCHEMAS)(
    'runs a queue in schema %j with a strange task and queue name; nothing else touched',
    async (schema) => {
      const app = await startQueueApp(q.database.url, [BadInputHandlers], { ...FAST_QUEUE, schema, queues: [`q'u"e;ue\\ ☃`] });
      try {
        const jobs = await app.queue.invokeBatch(
          Array.from({ length: 20 }, (_, n) => ({
            task: STRANGE_TASK,
            payload: { s: `${schema}:${n}` },
            opts: { queue: `q'u"e;ue\\ ☃` },
          })),
        );
        await eventually('the strange jobs completed', async () =>
          (await Promise.all(jobs.map(async (j) => (await app.queue.get(j.id))?.state))).every((s) => s === 'completed'),
        );
        const done = await app.queue.get<unknown, { echo: string }>(jobs[0].id);
        const ownTables = await tablesOf(q.db, schema);
        const defaultTables = await tablesOf(q.db, 'conductor');
        names.push({
          schema: printable(schema),
          task: printable(STRANGE_TASK),
          jobs: jobs.length,
          completed: jobs.length,
          'its tables': ownTables.length,
          '`conductor` tables intact': defaultTables.join() === QUEUE_TABLES.join(),
          'worker registered': app.app.get(Orchestrator).status().registered,
        });
        expect(done?.result).toEqual({ echo: `${schema}:0` });
        expect(ownTables).toEqual(QUEUE_TABLES);
        expect(defaultTables).toEqual(QUEUE_TABLES);
      } finally {
        await app.close();
      }
    },
  );

  it('settles concurrent replay and cancel of the same ids: each job cancelled or completed, exactly once', async () => {
    const count = 200;
    flaky.healthy = false;
    const jobs = await q.queue.invokeBatch(Array.from({ length: count }, () => ({ task: 'bad.flaky', payload: {} })));
    const ids = jobs.map((j) => j.id);
    await eventually('all dead', async () => (await q.queue.stats()).dead === count);
    flaky.healthy = true;
    // Every id at once: one replay per id, a replay of them all, and one cancel per id a random few
    // milliseconds later, so that cancels land on dead, queued, running and completed executions alike.
    const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 1_500));
    const [perId, bulk] = await Promise.all([
      Promise.all(ids.map((id) => Promise.all([q.queue.replay({ ids: [id] }), pause().then(() => q.queue.cancel(id))]))),
      q.queue.replay({ ids }),
    ]);
    const replayed = perId.reduce((sum, [n]) => sum + n, 0) + bulk;
    const cancels = perId.filter(([, cancelled]) => cancelled).length;
    await eventually('nothing left queued or running', async () => {
      const [row] = await q.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM conductor.executions WHERE id = ANY ($1::uuid[])`,
        [ids],
      );
      return row.n === 0;
    });
    const [account] = await q.db.query<{
      completed: number;
      cancelled: number;
      missing: number;
      twice: number;
      runs: number;
      extraRuns: number;
    }>(
      `WITH ids AS (SELECT unnest($1::uuid[]) AS id),
            runs AS (SELECT execution_id AS id, count(*) AS n FROM replay_runs GROUP BY 1)
       SELECT count(*) FILTER (WHERE f.state = 'completed')::int AS completed,
              count(*) FILTER (WHERE f.state = 'cancelled')::int AS cancelled,
              count(*) FILTER (WHERE f.id IS NULL)::int AS missing,
              (SELECT count(*) FROM conductor.archived_executions x WHERE x.id = ANY ($1::uuid[])) - count(f.id) AS twice,
              coalesce(sum(r.n), 0)::int AS runs,
              count(*) FILTER (WHERE r.n > 1)::int AS "extraRuns"
       FROM ids LEFT JOIN conductor.archived_executions f USING (id) LEFT JOIN runs r USING (id)`,
      [ids],
    );
    races.push({
      executions: count,
      'replay calls': count + 1,
      'cancel calls': count,
      'requeued by replay': replayed,
      'cancel returned true': cancels,
      completed: account.completed,
      cancelled: account.cancelled,
      missing: account.missing,
      'run twice': account.extraRuns,
    });
    expect(account).toMatchObject({ missing: 0, extraRuns: 0 });
    expect(Number(account.twice)).toBe(0);
    expect(account.completed + account.cancelled).toBe(count);
    expect(account.cancelled).toBe(cancels);
    // Each dead execution is requeued at most once, however many replays race for it.
    expect(replayed).toBeLessThanOrEqual(count);
  });

  it('records a result that cannot be stored as a failed attempt naming the problem; others complete', async () => {
    const kinds = ['cycle', 'throwing toJSON', 'symbol', 'nested BigInt', 'oversized', 'plain'];
    const jobs = await q.queue.invokeBatch(kinds.map((kind) => ({ task: 'bad.result', payload: { kind } })));
    await eventually('every result settled', async () =>
      (await Promise.all(jobs.map(async (j) => (await q.queue.get(j.id))?.state))).every(
        (s) => s === 'completed' || s === 'dead',
      ),
    );
    for (const [i, kind] of kinds.entries()) {
      const execution = await q.queue.get(jobs[i].id);
      results.push({
        result: kind,
        state: execution?.state,
        attempts: execution?.attempts,
        error: execution?.lastError?.message.slice(0, 90),
      });
    }
    const states = results.slice(-kinds.length).map((r) => r.state);
    expect(states).toEqual(['dead', 'dead', 'dead', 'dead', 'dead', 'completed']);
    expect(
      results
        .slice(-kinds.length)
        .filter((r) => r.state === 'dead')
        .every((r) => /cannot be stored|rejected/.test(String(r.error))),
    ).toBe(true);
  });

  it('enqueues 100,000 items in chunks with bounded memory', async () => {
    // A producer-only instance: no worker drains the rows while they are counted.
    const producer = await startQueueApp(q.database.url, [], { workers: false, strict: false });
    const items = Array.from({ length: 100_000 }, (_, n) => ({ task: 'bulk.unhandled', payload: { n, pad: 'x'.repeat(100) } }));
    let statements = 0;
    const count = (): void => void statements++;
    producer.db.events.on('query', count);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = Date.now();
    let results;
    try {
      results = await producer.queue.invokeBatch(items);
    } finally {
      clearInterval(sampler);
      producer.db.events.off('query', count);
      await producer.close();
    }
    const ms = Date.now() - started;
    peak = Math.max(peak, process.memoryUsage().rss);
    const [row] = await q.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM conductor.executions WHERE task = 'bulk.unhandled'`,
    );
    const growthMb = (peak - before) / 1024 / 1024;
    memory.push({
      items: items.length,
      'payload bytes each': 120,
      statements,
      ms,
      'rows written': row.n,
      'RSS before MB': before / 1024 / 1024,
      'RSS peak growth MB': growthMb,
    });
    expect(results).toHaveLength(100_000);
    expect(row.n).toBe(100_000);
    expect(statements).toBeGreaterThan(10);
    // Generous: a single statement for all of it, or results kept twice, would still fit, a leak per item would not.
    expect(growthMb).toBeLessThan(400);
  });
});
