export { ConductorMetrics } from './conductor-metrics';
export type { TaskMetricsSource } from './task-metrics';
export { metricsProviders } from './metrics.providers';
