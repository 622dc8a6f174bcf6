import type { TestingModule } from '@nestjs/testing';
import { type Span, type SpanOptions, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { ConductorMetrics, DatabaseRegistry } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';
import { sample } from './prometheus-sample';

/** A tracer provider that keeps the spans it is asked for: enough to see what Conductor records. */
class RecordingTracerProvider implements TracerProvider {
  readonly spans: { name: string; options: SpanOptions; ended: boolean }[] = [];

  getTracer(): Tracer {
    const startSpan = (name: string, options: SpanOptions = {}): Span => {
      const record = { name, options, ended: false };
      this.spans.push(record);
      const span = {
        setAttribute: () => span,
        setStatus: () => span,
        recordException: () => undefined,
        end: () => void (record.ended = true),
      };
      return span as unknown as Span;
    };
    return { startSpan } as unknown as Tracer;
  }
}

describe('database metrics', () => {
  let database: TestDatabase;
  let app: TestingModule;
  const registry = new Registry();
  const tracing = new RecordingTracerProvider();

  beforeAll(async () => {
    trace.setGlobalTracerProvider(tracing);
    database = await createTestDatabase('metrics');
    app = await startConductor({
      databases: { main: { url: database.url, pool: { max: 5 } } },
      resilience: { retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } },
      metrics: { registry },
    });
  });

  afterAll(async () => {
    await app?.close();
    if (database) await dropTestDatabase(database.name);
    trace.disable();
  });

  it('registers its series in the application registry, with pool and breaker gauges per database', async () => {
    expect(app.get(ConductorMetrics).registry).toBe(registry);
    const text = await registry.metrics();
    expect(sample(text, 'conductor_db_pool_max_connections{database="main"}')).toBe(5);
    expect(sample(text, 'conductor_db_breaker_state{database="main"}')).toBe(0);
    expect(text).toContain('# TYPE conductor_db_execute_duration_seconds histogram');
    expect(text).toContain('# TYPE conductor_db_acquire_duration_seconds histogram');
    expect(text).toContain('# TYPE conductor_task_invoked_total counter');
  });

  it('moves the duration histograms with traffic', async () => {
    const main = app.get(DatabaseRegistry).get('main');
    const before = await registry.metrics();
    const count = (text: string, phase: string): number =>
      sample(text, `conductor_db_${phase}_duration_seconds_count{database="main",route="primary"}`) ?? 0;
    await Promise.all(Array.from({ length: 7 }, () => main.query('SELECT pg_sleep(0.01)')));
    const after = await registry.metrics();
    expect(count(after, 'execute') - count(before, 'execute')).toBe(7);
    expect(count(after, 'acquire') - count(before, 'acquire')).toBe(7);
    expect(sample(after, 'conductor_db_execute_duration_seconds_sum{database="main",route="primary"}')).toBeGreaterThan(
      sample(before, 'conductor_db_execute_duration_seconds_sum{database="main",route="primary"}') ?? 0,
    );
    expect(sample(after, 'conductor_db_pool_connections{database="main"}')).toBeGreaterThan(0);
  });

  it('counts errors by class and retries', async () => {
    const main = app.get(DatabaseRegistry).get('main');
    await expect(main.query('SELECT * FROM no_such_table')).rejects.toThrow();
    // The server ends this very session (57P01, transient): retried once, then it fails for good.
    await expect(main.query('SELECT pg_terminate_backend(pg_backend_pid())')).rejects.toThrow();
    const text = await registry.metrics();
    expect(sample(text, 'conductor_db_errors_total{database="main",class="permanent"}')).toBe(1);
    expect(sample(text, 'conductor_db_errors_total{database="main",class="transient"}')).toBe(1);
    expect(sample(text, 'conductor_db_retries_total{database="main",class="transient"}')).toBe(1);
  });

  it('records a span per statement, started when the statement started', async () => {
    const main = app.get(DatabaseRegistry).get('main');
    const before = tracing.spans.length;
    const started = Date.now();
    await main.query('SELECT pg_sleep(0.05)');
    const spans = tracing.spans.slice(before).filter((s) => s.name === 'conductor.query');
    expect(spans).toHaveLength(1);
    expect(spans[0].ended).toBe(true);
    expect(spans[0].options.attributes).toMatchObject({ 'conductor.database': 'main', 'conductor.route': 'primary' });
    // Given back-dated: no later than when the call began, give or take a millisecond of rounding.
    expect(spans[0].options.startTime as number).toBeLessThanOrEqual(Date.now() - 50 + 1);
    expect(spans[0].options.startTime as number).toBeGreaterThanOrEqual(started - 1);
  });

  it('takes its series out of the application registry at shutdown', async () => {
    const other = await createTestDatabase('metrics2');
    const second = await startConductor({
      databases: { main: { url: other.url } },
      metrics: { registry: new Registry(), prefix: 'app_db_' },
    });
    try {
      const own = second.get(ConductorMetrics).registry;
      expect(await own.metrics()).toContain('app_db_db_pool_max_connections{database="main"} 10');
      await second.close();
      expect(own.getMetricsAsArray()).toHaveLength(0);
    } finally {
      await second.close().catch(() => undefined);
      await dropTestDatabase(other.name);
    }
  });
});
