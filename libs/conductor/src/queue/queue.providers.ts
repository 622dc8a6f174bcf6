import type { DynamicModule, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { readMigrations } from './migrations/migration-files';
import { Orchestrator } from './orchestrator';
import { QueueService } from './queue.service';
import { QUEUE_MIGRATIONS } from './queue-tokens';
import { TaskRegistry } from './task-registry';

/** The queue's providers, imports and exports; inert when `options.queue` is absent. */
export function queueProviders(): { providers: Provider[]; imports: DynamicModule[]; exports: Provider[] } {
  return {
    imports: [{ module: DiscoveryModule }],
    providers: [TaskRegistry, Orchestrator, QueueService, { provide: QUEUE_MIGRATIONS, useFactory: () => readMigrations() }],
    exports: [QueueService, Orchestrator],
  };
}
