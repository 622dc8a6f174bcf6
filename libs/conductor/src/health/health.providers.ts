import type { Provider } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseRegistry } from '../database/database-registry';
import { RESOLVED_OPTIONS } from '../database/database-tokens';
import type { ResolvedConductorOptions } from '../options/resolved-options.interface';
import { Orchestrator } from '../queue/orchestrator';
import { QueueService } from '../queue/queue.service';
import { DatabaseHealthIndicator } from './database-health.indicator';
import { QueueHealthIndicator } from './queue-health.indicator';

/**
 * The health indicators. They get a `HealthIndicatorService` of their own (it holds nothing but a
 * result cache), so the application need not import `TerminusModule` into Conductor's scope.
 */
export function healthProviders(): { providers: Provider[]; exports: Provider[] } {
  return {
    providers: [
      HealthIndicatorService,
      {
        provide: DatabaseHealthIndicator,
        useFactory: (health: HealthIndicatorService, databases: DatabaseRegistry) =>
          new DatabaseHealthIndicator(health, databases),
        inject: [HealthIndicatorService, DatabaseRegistry],
      },
      {
        provide: QueueHealthIndicator,
        useFactory: (
          health: HealthIndicatorService,
          resolved: ResolvedConductorOptions,
          orchestrator: Orchestrator,
          queue: QueueService,
        ) => new QueueHealthIndicator(health, resolved.queue ? { orchestrator, queue } : null),
        inject: [HealthIndicatorService, RESOLVED_OPTIONS, Orchestrator, QueueService],
      },
    ],
    exports: [DatabaseHealthIndicator, QueueHealthIndicator],
  };
}
