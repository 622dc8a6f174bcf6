import { freePort } from '../../apps/sample/src/embedded-postgres';
import { type ChildHandle, ChildProcesses } from '../support/child-process';
import { eventually } from '../support/queue-app';
import { type TestDatabase, createTestDatabase, dropTestDatabase, withAdmin } from '../support/test-database';

interface OrderRow {
  id: number;
  status: string;
  state: string | null;
  confirmations: number;
  sent_by: string[];
}

describe('the sample app as separate processes sharing one database', () => {
  const children = new ChildProcesses();
  let main: TestDatabase;
  let reference: TestDatabase;

  beforeEach(async () => {
    [main, reference] = await Promise.all([createTestDatabase('sample_main'), createTestDatabase('sample_reference')]);
  });

  afterEach(async () => {
    await children.closeAll();
    await Promise.all([main, reference].filter(Boolean).map((db) => dropTestDatabase(db.name)));
  });

  async function startInstance(name: string, env: Record<string, string> = {}): Promise<{ child: ChildHandle; base: string }> {
    const port = await freePort();
    const child = children.start('sample-app', {
      CONDUCTOR_MAIN_URL: main.url,
      CONDUCTOR_REFERENCE_URL: reference.url,
      PORT: String(port),
      INSTANCE_NAME: name,
      ...env,
    });
    await child.ready;
    return { child, base: `http://127.0.0.1:${port}` };
  }

  async function placeOrder(base: string, n: number): Promise<number | undefined> {
    try {
      const response = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ sku: 'tea-earl-grey', quantity: 1 + (n % 3), email: `c${n}@example.com` }),
      });
      if (response.status !== 201) return undefined;
      return ((await response.json()) as { order: { id: number } }).order.id;
    } catch {
      return undefined; // refused: the instance has stopped listening
    }
  }

  function orders(): Promise<OrderRow[]> {
    return withAdmin(
      async (client) =>
        (
          await client.query<OrderRow>(
            // Finished executions move to a table of their own.
            `SELECT o.id, o.status, coalesce(e.state, f.state) AS state,
                    (SELECT count(*)::int FROM confirmations c WHERE c.order_id = o.id) AS confirmations,
                    ARRAY(SELECT DISTINCT c.sent_by FROM confirmations c WHERE c.order_id = o.id) AS sent_by
               FROM orders o
               LEFT JOIN conductor.executions e ON e.id = o.execution_id
               LEFT JOIN conductor.archived_executions f ON f.id = o.execution_id
              ORDER BY o.id`,
          )
        ).rows,
      main.url,
    );
  }

  it('drains on SIGTERM mid-load: ready turns 503, the process exits 0, and every accepted order is confirmed once', async () => {
    const a = await startInstance('a', { MAIL_LATENCY_MS: '150', SHUTDOWN_DELAY_MS: '400' });
    const accepted: number[] = [];
    let sent = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const batch = await Promise.all([0, 1, 2, 3].map(() => placeOrder(a.base, sent++)));
        for (const id of batch) if (id !== undefined) accepted.push(id);
      }
    })();
    await eventually('some orders accepted and some confirmations running', async () => {
      const rows = await orders();
      return accepted.length >= 12 && rows.some((r) => r.state === 'running');
    });

    const exited = a.child.stop('SIGTERM');
    let sawNotReady = false;
    await eventually('ready answers 503 during shutdown', async () => {
      const status = await fetch(`${a.base}/health/ready`, { headers: { connection: 'close' } }).then(
        (r) => r.status,
        () => 0,
      );
      sawNotReady ||= status === 503;
      return sawNotReady;
    });
    expect(await exited).toEqual({ code: 0, signal: null });
    stop = true;
    await load;
    expect(a.child.output()).toContain('SIGTERM received: draining');

    // Nothing is running or half-done: each job finished or went back to the queue with its order.
    const left = await orders();
    expect(left.map((r) => r.id)).toEqual(expect.arrayContaining(accepted));
    for (const row of left) {
      expect(['completed', 'queued']).toContain(row.state);
      expect(row.confirmations).toBe(row.state === 'completed' ? 1 : 0);
    }
    expect(left.some((r) => r.state === 'completed')).toBe(true);

    // A new instance finishes what was left: every order confirmed exactly once.
    await startInstance('b');
    await eventually('every order confirmed', async () => (await orders()).every((r) => r.state === 'completed'));
    const done = await orders();
    expect(done.length).toBeGreaterThanOrEqual(accepted.length);
    for (const row of done) expect(row).toMatchObject({ status: 'confirmed', confirmations: 1 });
  });

  it('shares the work between two instances, and runs no job twice', async () => {
    const [a, b] = await Promise.all([startInstance('a'), startInstance('b')]);
    const ids = await Promise.all(Array.from({ length: 60 }, (_, n) => placeOrder(n % 2 === 0 ? a.base : b.base, n)));
    expect(ids.every((id) => id !== undefined)).toBe(true);

    await eventually('every order confirmed', async () => (await orders()).every((r) => r.state === 'completed'));
    const rows = await orders();
    expect(rows).toHaveLength(60);
    for (const row of rows) expect(row).toMatchObject({ status: 'confirmed', confirmations: 1 });
    const by = new Set(rows.flatMap((r) => r.sent_by));
    expect([...by].sort()).toEqual(['a', 'b']);

    await Promise.all([a.child.stop('SIGTERM'), b.child.stop('SIGTERM')]).then((exits) =>
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]),
    );
  });
});
