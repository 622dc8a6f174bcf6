import { Injectable } from '@nestjs/common';
import { Orchestrator, type QueueService, Task, type TaskContext } from '@conductor/nestjs';
import { type ProxiedQueueApp, type SuiteQueueApp, eventually, startProxiedQueueApp, useQueueApp } from '../support/queue-app';
import { commitSlowly } from '../support/slow-commit';

/** A handler whose first attempt blocks until the test releases it, and which records what it saw. */
@Injectable()
class Handlers {
  registeredAtFetch: boolean[] = [];
  releaseFirst?: () => void;
  q?: SuiteQueueApp;

  @Task('probe-registration')
  async probe(_payload: unknown, ctx: TaskContext): Promise<void> {
    const [row] = await this.q!.db.query<{ registered: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM conductor.orchestrators o JOIN conductor.executions e ON e.locked_by = o.id WHERE e.id = $1) AS registered`,
      [ctx.id],
    );
    this.registeredAtFetch.push(row.registered);
  }

  @Task('slow-first')
  async slowFirst(_payload: unknown, ctx: TaskContext): Promise<string> {
    if (ctx.attempt === 1) {
      await new Promise<void>((resolve) => (this.releaseFirst = resolve));
      return 'first attempt';
    }
    return 'second attempt';
  }

  ranRecovered: number[] = [];

  @Task('fails-first', { maxAttempts: 3 })
  async failsFirst(_payload: unknown, ctx: TaskContext): Promise<string> {
    if (ctx.attempt === 1) throw new Error('first attempt fails');
    return 'second attempt';
  }

  @Task('recovered')
  async recovered(payload: { n: number }): Promise<number> {
    this.ranRecovered.push(payload.n);
    return payload.n;
  }
}

describe('queue: registration, stale sweep and fencing', () => {
  let handlers: Handlers;
  // Declared first: Jest runs afterAll hooks in that order, and a blocked handler would hold up the app's close.
  afterAll(() => handlers?.releaseFirst?.());
  const q = useQueueApp('leases', [Handlers]);

  beforeAll(() => {
    handlers = q.app.get(Handlers);
    handlers.q = q;
  });

  it('registers the orchestrator before any worker fetches', async () => {
    const orchestrator = q.app.get(Orchestrator);
    const rows = await q.db.query<{ id: string }>('SELECT id::text AS id FROM conductor.orchestrators');
    expect(rows.map((r) => r.id)).toContain(orchestrator.id);
    const { id } = await q.queue.invoke('probe-registration', {});
    await eventually('probe ran', async () => (await q.queue.get(id))?.state === 'completed');
    expect(handlers.registeredAtFetch).toEqual([true]);
  });

  it('sweeps an orchestrator that stopped heartbeating and runs its executions again', async () => {
    // A crashed process: registered long ago, never heard from since, holding two leased executions.
    await q.db.query(
      `INSERT INTO conductor.orchestrators (id, hostname, pid, schema_version, last_heartbeat_at)
       VALUES ('00000000-0000-7000-8000-000000000001', 'ghost', 1, 1, now() - interval '1 hour')`,
    );
    await q.db.query(
      `INSERT INTO conductor.executions (id, task, queue, payload, max_attempts, state, attempts, lease, locked_by, locked_at)
       SELECT gen_random_uuid(), 'recovered', 'default', jsonb_build_object('n', n), 5, 'running', 1, 1000 + n,
              '00000000-0000-7000-8000-000000000001', now() - interval '1 hour'
       FROM generate_series(1, 2) AS n`,
    );
    await eventually('ghost swept', async () => {
      const [row] = await q.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM conductor.orchestrators WHERE hostname = 'ghost'`,
      );
      return row.n === 0;
    });
    await eventually('recovered executions completed', async () => {
      const [row] = await q.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM conductor.archived_executions WHERE task = 'recovered'`,
      );
      return row.n === 2;
    });
    const finished = await q.db.query<{ attempts: number; errors: { name: string }[] }>(
      `SELECT attempts, errors FROM conductor.archived_executions WHERE task = 'recovered'`,
    );
    // The lost attempt counts, and the history says why it was requeued.
    expect(finished.map((f) => f.attempts)).toEqual([2, 2]);
    expect(finished.every((f) => f.errors.some((e) => e.name === 'OrchestratorLost'))).toBe(true);
  });

  it('rejects the late completion of an attempt whose lease was reassigned; the new attempt stands', async () => {
    const orchestrator = q.app.get(Orchestrator);
    const lateBefore = orchestrator.lateRejected;
    const { id } = await q.queue.invoke('slow-first', {});
    await eventually('first attempt running', () => handlers.releaseFirst !== undefined);
    // What the sweep does when it presumes the first attempt's process dead: the lease is revoked.
    await q.db.query(
      `UPDATE conductor.executions SET state = 'queued', lease = NULL, locked_by = NULL, run_at = now() WHERE id = $1`,
      [id],
    );
    await eventually('second attempt completed', async () => (await q.queue.get(id))?.state === 'completed');
    expect((await q.queue.get(id))?.result).toBe('second attempt');
    handlers.releaseFirst!();
    await eventually('late completion rejected', () => orchestrator.lateRejected === lateBefore + 1);
    const execution = await q.queue.get(id);
    expect(execution?.result).toBe('second attempt');
    expect(execution?.attempts).toBe(2);
  });

  it('applies a completion batch by lease and names only the late leases, with and without retention', async () => {
    const orchestrator = q.app.get(Orchestrator);
    // Executions leased by hand: no worker runs task 'by-hand'. Not to this process's orchestrator, whose
    // worker hands back what it leased but does not hold; to one no process has, not yet stale.
    const leaseByHand = (count: number): Promise<{ id: string; lease: string }[]> =>
      q.db.query(
        `INSERT INTO conductor.executions (id, task, queue, payload, max_attempts, state, attempts, lease, locked_by, locked_at)
         SELECT gen_random_uuid(), 'by-hand', 'default', '{}', 1, 'running', 1, nextval('conductor.lease_seq'),
                '00000000-0000-7000-8000-0000000000bb', now()
         FROM generate_series(1, $1::int)
         RETURNING id::text AS id, lease::text AS lease`,
        [count],
      );
    for (const [statement, retained] of [
      ['complete_executions', true],
      ['complete_executions_unretained', false],
    ] as const) {
      // Two executions leased by hand, and a third lease that no row holds.
      const leased = await leaseByHand(2);
      const stale = String(Number(leased[1].lease) + 1_000_000);
      const sql = orchestrator.sql.get(statement);
      const leases = `{${leased[0].lease},${stale},${leased[1].lease}}`;
      const params = retained ? [leases, JSON.stringify({ [leased[1].lease]: { kept: true } })] : [leases];
      const late = await q.db.query<{ lease: string }>(sql.text, params);
      expect(late.map((r) => r.lease)).toEqual([stale]);
      const left = await q.db.query(`SELECT 1 FROM conductor.executions WHERE id = ANY($1::uuid[])`, [leased.map((r) => r.id)]);
      expect(left).toHaveLength(0);
      const kept = await q.db.query<{ id: string; result: unknown }>(
        `SELECT id::text AS id, result FROM conductor.archived_executions WHERE id = ANY($1::uuid[]) ORDER BY id`,
        [leased.map((r) => r.id)],
      );
      if (retained) {
        expect(kept.find((r) => r.id === leased[0].id)?.result).toBeNull();
        expect(kept.find((r) => r.id === leased[1].id)?.result).toEqual({ kept: true });
      } else expect(kept).toHaveLength(0);
      // A batch where every lease is current answers with nothing.
      const [again] = await leaseByHand(1);
      const none = await q.db.query(sql.text, retained ? [`{${again.lease}}`, null] : [`{${again.lease}}`]);
      expect(none).toHaveLength(0);
    }
  });

  it('refuses a lease outside the running state, so a lease alone fences every outcome', async () => {
    const refused = { message: expect.stringContaining('executions_lease_only_while_running') as unknown };
    await expect(
      q.db.query(
        `INSERT INTO conductor.executions (id, task, queue, payload, max_attempts, lease) VALUES (gen_random_uuid(), 'recovered', 'default', '{"n": 1}', 1, 7)`,
      ),
    ).rejects.toMatchObject(refused);
    await expect(
      q.db.query(
        `INSERT INTO conductor.executions (id, task, queue, payload, max_attempts, state) VALUES (gen_random_uuid(), 'recovered', 'default', '{"n": 1}', 1, 'running')`,
      ),
    ).rejects.toMatchObject(refused);
    // A statement that leaves 'running' but forgets the lease fails instead of leaving a live fence behind.
    handlers.releaseFirst = undefined;
    const { id } = await q.queue.invoke('slow-first', {});
    await eventually('attempt running', () => handlers.releaseFirst !== undefined);
    await expect(q.db.query(`UPDATE conductor.executions SET state = 'queued' WHERE id = $1`, [id])).rejects.toMatchObject(
      refused,
    );
    handlers.releaseFirst!();
    await eventually('completed', async () => (await q.queue.get(id))?.state === 'completed');
  });
});

let markThrown = (): void => undefined;
const thrown = new Promise<void>((resolve) => (markThrown = resolve));

@Injectable()
class MixedOutcomes {
  /** Finishes just after the failing handler, so its completion joins the failure's flush window. */
  @Task('succeeds')
  async succeeds(): Promise<string> {
    await thrown;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return 'done';
  }

  @Task('throws')
  async throws(): Promise<never> {
    markThrown();
    throw new Error('handler failed');
  }
}

describe('queue: a batch of outcomes half written', () => {
  // A flush window wide enough that the success and the failure below share one batch.
  const q = useQueueApp('half_written', [MixedOutcomes], { completionFlushMs: 200, concurrency: 4 });

  it('does not send landed completions again when the failures of the same batch fail to write', async () => {
    // The failure statement fails transiently more often than the database layer retries, so the
    // completer itself has to try again; the completion of the same batch has already landed by then.
    await q.db.query(`
      CREATE SEQUENCE failure_writes;
      CREATE FUNCTION refuse_first_failure_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('failure_writes') <= 6 THEN
          RAISE EXCEPTION 'refused for the test' USING ERRCODE = '40001';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_first_failure_writes BEFORE UPDATE ON conductor.executions
        FOR EACH ROW WHEN (OLD.state = 'running' AND NEW.state <> 'running' AND NEW.errors <> OLD.errors)
        EXECUTE FUNCTION refuse_first_failure_writes();
      -- How many failure writes had been tried when the completion landed.
      CREATE TABLE completion_landed (failure_writes_before bigint NOT NULL);
      CREATE FUNCTION note_completion_landed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO completion_landed SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM failure_writes;
        RETURN NULL;
      END $$;
      CREATE TRIGGER note_completion_landed AFTER INSERT ON conductor.archived_executions
        FOR EACH ROW EXECUTE FUNCTION note_completion_landed();`);
    const orchestrator = q.app.get(Orchestrator);
    const [ok, failing] = await q.queue.invokeBatch([
      { task: 'succeeds', payload: {} },
      { task: 'throws', payload: {}, opts: { maxAttempts: 1 } },
    ]);
    await eventually('failure recorded', async () => (await q.queue.get(failing.id))?.state === 'dead', 20_000);
    expect((await q.queue.get(ok.id))?.state).toBe('completed');
    const [writes] = await q.db.query<{ n: string }>(`SELECT last_value::text AS n FROM failure_writes`);
    expect(Number(writes.n)).toBeGreaterThan(6);
    // The failure was buffered first, yet the completion landed before any failure write was tried: both
    // went in one batch, which writes completions first. (A batch of its own would have waited behind the
    // failure's retries.)
    const landed = await q.db.query<{ before: string }>(`SELECT failure_writes_before::text AS before FROM completion_landed`);
    expect(landed.map((row) => Number(row.before))).toEqual([0]);
    expect(orchestrator.lateRejected).toBe(0);
  });
});

describe('queue: statements whose answer is lost', () => {
  let viaProxy: ProxiedQueueApp | undefined;
  // Declared first: the app behind the proxy closes before its database is dropped.
  afterAll(() => viaProxy?.close());
  const q = useQueueApp('lost_answers', [], { workers: false, strict: false });
  const proxied = (): ProxiedQueueApp => viaProxy!;

  beforeAll(async () => {
    viaProxy = await startProxiedQueueApp(q.database.url, [Handlers]);
    const warm = await q.queue.invoke('recovered', { n: 1 });
    await eventually('warm-up completed', async () => (await q.queue.get(warm.id))?.state === 'completed');
  });

  it('hands back the row of a fetch that committed late, and runs it once', async () => {
    const { proxy, app } = proxied();
    // The server takes 1 s over the fetch that leases this job (a trigger sleeps once its row is leased),
    // so it commits well after the worker saw its connection end: the hand-back that follows the failure
    // finds nothing yet, and the row, leased to a process that keeps heartbeating, is swept by no one.
    await commitSlowly(q.db, 'slow_lease', 'UPDATE', `NEW.state = 'running' AND NEW.payload->>'n' = '42'`, 1);
    await proxy.setMode('cut', { times: 1, marker: 'conductor_fetch_executions_' });
    const { id } = await q.queue.invoke('recovered', { n: 42 });
    await eventually('the fetch was cut', () => proxy.cuts === 1);
    await eventually('the job completed', async () => (await q.queue.get(id))?.state === 'completed', 20_000);
    expect(app.get(Handlers).ranRecovered.filter((n) => n === 42)).toEqual([42]);
    // Handed back without counting the lost attempt, then fetched again: one attempt in all.
    const [row] = await q.db.query<{ attempts: number }>('SELECT attempts FROM conductor.archived_executions WHERE id = $1', [
      id,
    ]);
    expect(row.attempts).toBe(1);
  });

  /** The outcome events of `queue` in order, recorded until `stop()`: each test stops its own listeners. */
  const recordOutcomes = (queue: QueueService): { outcomes: string[]; stop: () => void } => {
    const outcomes: string[] = [];
    const completed = (): number => outcomes.push('completed');
    const failed = ({ dead }: { dead: boolean }): number => outcomes.push(dead ? 'dead' : 'failed');
    const late = (): number => outcomes.push('late');
    queue.events.on('completed', completed).on('failed', failed).on('late', late);
    const stop = (): void => void queue.events.off('completed', completed).off('failed', failed).off('late', late);
    return { outcomes, stop };
  };

  it('counts a completion completed, not late, when its retry finds the first try applied', async () => {
    const { proxy, app, queue } = proxied();
    const { outcomes, stop } = recordOutcomes(queue);
    try {
      // The completion reaches the server, which applies it; its answer is cut. The database layer retries
      // it (idempotent), and the retry finds the row gone: the lease no longer current, as for a late one.
      const cutsBefore = proxy.cuts;
      await proxy.setMode('cut', { times: 1, marker: 'conductor_complete_executions_' });
      const { id } = await q.queue.invoke('recovered', { n: 7 });
      await eventually('the completion was cut', () => proxy.cuts === cutsBefore + 1);
      await eventually('its outcome counted', () => outcomes.length === 1);
      expect(outcomes).toEqual(['completed']);
      expect(app.get(Orchestrator).lateRejected).toBe(0);
      expect((await q.queue.get(id))?.state).toBe('completed');
    } finally {
      stop();
    }
  });

  it('counts a failure failed, not late, when its retry finds the first try recorded', async () => {
    const { proxy, app, queue } = proxied();
    const { outcomes, stop } = recordOutcomes(queue);
    try {
      const lateBefore = app.get(Orchestrator).lateRejected;
      // The first attempt's failure reaches the server, which requeues the execution; its answer is cut,
      // and the retry finds the lease gone.
      const cutsBefore = proxy.cuts;
      await proxy.setMode('cut', { times: 1, marker: 'conductor_fail_executions_' });
      const { id } = await q.queue.invoke('fails-first', {});
      await eventually('the failure was cut', () => proxy.cuts === cutsBefore + 1);
      await eventually('the second attempt completed', async () => (await q.queue.get(id))?.state === 'completed');
      expect(outcomes).toEqual(['failed', 'completed']);
      expect(app.get(Orchestrator).lateRejected).toBe(lateBefore);
      expect((await q.queue.get(id))?.attempts).toBe(2);
    } finally {
      stop();
    }
  });
});
