import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { sample } from '../metrics/prometheus-sample';
import { eventually } from '../support/queue-app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';
import { startSampleApp } from './sample-test-app';

interface OrderView {
  order: { id: number; status: string; executionId: string };
  job?: { state: string; attempts: number; result?: { totalCents: number }; errors: { attempt: number; message: string }[] };
  confirmations: { attempt: number; totalCents: number }[];
}

describe('the sample app over HTTP', () => {
  let databases: TestDatabase[];
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    databases = await Promise.all([createTestDatabase('sample_main'), createTestDatabase('sample_reference')]);
    app = await startSampleApp({ main: databases[0].url, reference: databases[1].url });
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all((databases ?? []).map((db) => dropTestDatabase(db.name)));
  });

  async function placeOrder(body: Record<string, unknown>): Promise<number> {
    const response = await http.post('/orders').send(body).expect(201);
    return (response.body as OrderView).order.id;
  }

  async function orderWhen(id: number, state: string): Promise<OrderView> {
    let view: OrderView | undefined;
    await eventually(`order ${id}'s job ${state}`, async () => {
      view = (await http.get(`/orders/${id}`).expect(200)).body as OrderView;
      return view.job?.state === state;
    });
    return view!;
  }

  it('is ready and live when every database and the queue are up', async () => {
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details).toMatchObject({
      main: { status: 'up', breaker: 'closed', degraded: false },
      reference: { status: 'up', breaker: 'closed', degraded: false },
      queue: { status: 'up', registered: true, workers: 'running' },
    });
    const live = await http.get('/health/live').expect(200);
    expect(live.body.details).toEqual({ heap: { status: 'up' } });
  });

  it('takes an order through to its completed confirmation, priced from the reference catalogue', async () => {
    const id = await placeOrder({ sku: 'coffee-beans', quantity: 3, email: 'ada@example.com' });
    const view = await orderWhen(id, 'completed');
    expect(view.order.status).toBe('confirmed');
    expect(view.job).toMatchObject({ attempts: 1, errors: [], result: { totalCents: 3 * 1190 } });
    expect(view.confirmations).toEqual([expect.objectContaining({ attempt: 1, totalCents: 3 * 1190 })]);
  });

  it('answers a bad order with a 400 naming the field, and an unknown order with a 404', async () => {
    const response = await http.post('/orders').send({ sku: 'mug', quantity: 0, email: 'ada@example.com' }).expect(400);
    expect(response.body.message).toContain('quantity');
    await http.get('/orders/999999').expect(404);
  });

  it('retries a confirmation whose first attempt fails', async () => {
    const id = await placeOrder({ sku: 'mug', quantity: 1, email: 'bob@flaky.example' });
    const view = await orderWhen(id, 'completed');
    expect(view.job!.attempts).toBe(2);
    expect(view.job!.errors).toEqual([expect.objectContaining({ attempt: 1, message: expect.stringContaining('timed out') })]);
    expect(view.confirmations).toEqual([expect.objectContaining({ attempt: 2 })]);
  });

  it('dead-letters an order for an unknown product, and replays it once the catalogue has it', async () => {
    const id = await placeOrder({ sku: 'teapot', quantity: 2, email: 'cy@example.com' });
    const dead = await orderWhen(id, 'dead');
    expect(dead.job!.attempts).toBe(3);
    expect(dead.job!.errors.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(dead.job!.errors[2].message).toContain('"teapot" is not in the catalogue');
    expect(dead.order.status).toBe('pending');
    expect(dead.confirmations).toEqual([]);
    // A dead job makes the queue degraded, not down: the app stays ready.
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body.details.queue).toMatchObject({ status: 'up', dead: 1, degraded: true });

    await http.put('/products/teapot').send({ name: 'Teapot, 1 l', priceCents: 2900 }).expect(200);
    const replay = await http.post('/admin/dead/replay').send({}).expect(200);
    expect(replay.body).toEqual({ replayed: 1 });
    const replayed = await orderWhen(id, 'completed');
    expect(replayed.order.status).toBe('confirmed');
    expect(replayed.job!.result).toEqual(expect.objectContaining({ totalCents: 2 * 2900 }));
    expect(replayed.confirmations).toHaveLength(1);
    await http
      .post('/admin/dead/replay')
      .send({ ids: ['not-a-uuid'] })
      .expect(400);
  });

  it('serves Prometheus metrics whose series move with the traffic', async () => {
    const series = {
      invoked: 'conductor_task_invoked_total{task="send-confirmation",queue="default"}',
      completed: 'conductor_task_completed_total{task="send-confirmation",queue="default"}',
      referenceQueries: 'conductor_db_execute_duration_seconds_count{database="reference",route="primary"}',
      mainBreaker: 'conductor_db_breaker_state{database="main"}',
    };
    const scrape = async (): Promise<string> => {
      const response = await http.get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      return response.text;
    };
    const before = await scrape();
    for (const name of Object.values(series)) expect(sample(before, name)).toEqual(expect.any(Number));
    expect(sample(before, series.mainBreaker)).toBe(0);

    const ids = await Promise.all(
      [1, 2, 3].map((n) => placeOrder({ sku: 'tea-earl-grey', quantity: n, email: `m${n}@example.com` })),
    );
    for (const id of ids) await orderWhen(id, 'completed');
    const after = await scrape();
    expect(sample(after, series.invoked)! - sample(before, series.invoked)!).toBe(3);
    expect(sample(after, series.completed)! - sample(before, series.completed)!).toBe(3);
    // Each confirmation reads the catalogue once.
    expect(sample(after, series.referenceQueries)! - sample(before, series.referenceQueries)!).toBeGreaterThanOrEqual(3);
  });
});
