export { DatabaseHealthIndicator } from './database-health.indicator';
export { QueueHealthIndicator } from './queue-health.indicator';
export type { DatabaseHealthDetails, DatabaseHealthOptions } from './database-health-options.interface';
export type {
  QueueBacklogThresholds,
  QueueHealthDetails,
  QueueHealthOptions,
  QueueHealthSources,
} from './queue-health-options.interface';
export { healthProviders } from './health.providers';
