import type { DatabaseEventMap } from '../database/database-events';
import type { QueueEventMap } from '../queue/queue-events';
import type { OpenTelemetry } from './open-telemetry';

type QueryEvent = DatabaseEventMap['query'][0];
type CompletedEvent = QueueEventMap['completed'][0];
type FailedEvent = QueueEventMap['failed'][0];

/**
 * SpanRecorder turns finished statements and handler runs into OpenTelemetry spans. The events arrive
 * when the work has ended, so each span is given its real start time (now minus the duration), and its
 * parent is the context active where the event was emitted: the caller's, for a statement.
 */
export class SpanRecorder {
  private readonly tracer: ReturnType<OpenTelemetry['trace']['getTracer']>;

  private readonly provider: { getDelegate?: () => object };

  constructor(private readonly otel: OpenTelemetry) {
    this.tracer = otel.trace.getTracer('@conductor/nestjs');
    this.provider = otel.trace.getTracerProvider() as { getDelegate?: () => object };
  }

  /**
   * Whether a tracer provider is registered. Without one every span is a no-op, and making one per
   * statement and per handler run is work for nothing; a provider registered later is picked up.
   */
  private get recording(): boolean {
    const delegate = this.provider.getDelegate?.();
    return delegate === undefined || delegate.constructor.name !== 'NoopTracerProvider';
  }

  /** A `conductor.query` span: a statement or a whole transaction, with its acquire time as an attribute. */
  query(e: QueryEvent): void {
    if (!this.recording) return;
    const end = Date.now();
    const span = this.tracer.startSpan('conductor.query', {
      kind: this.otel.SpanKind.CLIENT,
      startTime: end - e.acquireMs - e.executeMs,
      attributes: {
        'db.system.name': 'postgresql',
        'conductor.database': e.key,
        'conductor.route': e.route,
        'conductor.acquire_ms': e.acquireMs,
      },
    });
    span.end(end);
  }

  /** A `conductor.task` span for one handler run; a failed run gets an error status and its exception. */
  task(e: CompletedEvent | FailedEvent, failed: boolean): void {
    if (!this.recording) return;
    const end = Date.now();
    const span = this.tracer.startSpan(`conductor.task ${e.task}`, {
      kind: this.otel.SpanKind.CONSUMER,
      startTime: end - e.durationMs,
      attributes: { 'conductor.task': e.task, 'conductor.queue': e.queue },
    });
    if (failed) {
      const { error, dead } = e as FailedEvent;
      span.setAttribute('conductor.dead', dead);
      if (error instanceof Error) span.recordException(error);
      span.setStatus({ code: this.otel.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    span.end(end);
  }
}
