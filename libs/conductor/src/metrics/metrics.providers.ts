import type { Provider } from '@nestjs/common';
import { DatabaseRegistry } from '../database/database-registry';
import { RESOLVED_OPTIONS } from '../database/database-tokens';
import type { ResolvedConductorOptions } from '../options/resolved-options.interface';
import { QueueService } from '../queue/queue.service';
import { ConductorMetrics } from './conductor-metrics';

/** The metrics provider: created with the databases and the queue, so it hears their events from the first one. */
export function metricsProviders(): { providers: Provider[]; exports: Provider[] } {
  return {
    providers: [
      {
        provide: ConductorMetrics,
        useFactory: (resolved: ResolvedConductorOptions, databases: DatabaseRegistry, queue: QueueService) => {
          const metrics = new ConductorMetrics(resolved.metrics, databases);
          if (resolved.queue) metrics.attachQueue(queue);
          return metrics;
        },
        inject: [RESOLVED_OPTIONS, DatabaseRegistry, QueueService],
      },
    ],
    exports: [ConductorMetrics],
  };
}
