import type { InvokeRequest, QueueService } from '@conductor/nestjs';
import { classifyError, isDatabaseCallError } from '@conductor/nestjs';

/** How the invokes of a load went: the ids that returned, and the failures by kind. */
export interface LoadOutcome {
  ids: string[];
  failures: number;
  /** Failures that were not classified transient: must be 0 under an outage. */
  unclear: string[];
  /** Failures by error name, e.g. `{ CircuitOpenError: 12 }`. */
  byName: Record<string, number>;
}

/**
 * InvokeLoad keeps `parallel` callers invoking `request()` one after another until `stop()`, pausing
 * `pauseMs` between calls, and records every outcome: a fault must leave each invoke either returned
 * or failed with a transient, clearly named error.
 */
export class InvokeLoad {
  readonly outcome: LoadOutcome = { ids: [], failures: 0, unclear: [], byName: {} };
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly queue: QueueService,
    private readonly request: () => InvokeRequest,
    private readonly options: { parallel: number; pauseMs: number },
  ) {}

  /** Starts the callers. */
  start(): this {
    for (let i = 0; i < this.options.parallel; i++) this.loops.push(this.run());
    return this;
  }

  /** Stops the callers and waits for the calls in flight to settle. */
  async stop(): Promise<LoadOutcome> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.outcome;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const { task, payload, opts } = this.request();
      try {
        const { id } = await this.queue.invoke(task, payload, opts);
        this.outcome.ids.push(id);
      } catch (error) {
        this.record(error);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  private record(error: unknown): void {
    this.outcome.failures++;
    const name = error instanceof Error ? error.name : typeof error;
    this.outcome.byName[name] = (this.outcome.byName[name] ?? 0) + 1;
    const transient = isDatabaseCallError(error) ? error.kind === 'transient' : classifyError(error).kind === 'transient';
    if (!transient) this.outcome.unclear.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}
