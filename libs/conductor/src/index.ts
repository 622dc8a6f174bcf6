export { ConductorModule, type ConductorAsyncOptions } from './conductor.module';
export type {
  ConductorModuleOptions,
  DatabaseOptions,
  PoolOptions,
  ReplicaOptions,
  ResilienceOptions,
  RetryOptions,
  BreakerOptions,
  QueueOptions,
  BackoffOptions,
} from './options/conductor-options.interface';
export { databasesFromEnv, envPrefix } from './options/databases-from-env';
export { InvalidOptionsError, isInvalidOptionsError } from './options/invalid-options.error';
export { Database, type QueryOptions, type TransactionOptions } from './database/database';
export type { TransactionContext } from './database/transaction-scope';
export type { BatchOperation, BatchOptions, BatchResult } from './database/batch-execute';
export type { DatabaseStats, ServerInfo, TimingStats } from './database/database-stats.interface';
export type { DatabaseEventMap } from './database/database-events';
export { DatabaseRegistry } from './database/database-registry';
export { InjectDatabase, getDatabaseToken } from './database/database-tokens';
export { classifyError, type Classification, type ErrorClass } from './resilience/classify-error';
export { DatabaseCallError, isDatabaseCallError } from './resilience/database-call.error';
export { CircuitOpenError, isCircuitOpenError } from './resilience/circuit-open.error';
export { MisconfigurationError } from './resilience/misconfiguration.error';
export { CallTimeoutError } from './resilience/call-timeout.error';
export type { BreakerState } from './resilience/resilience-events';
export {
  DatabaseHealthIndicator,
  QueueHealthIndicator,
  type DatabaseHealthDetails,
  type DatabaseHealthOptions,
  type QueueBacklogThresholds,
  type QueueHealthDetails,
  type QueueHealthOptions,
} from './health';
export { ConductorMetrics, type TaskMetricsSource } from './metrics';
export type { MetricsOptions } from './options/conductor-options.interface';
export type { OrchestratorStatus } from './queue/orchestrator';
export { InjectDataSource, InjectRepository, InjectEntityManager, TypeOrmModule } from '@nestjs/typeorm';
export { QueueService } from './queue/queue.service';
export { Orchestrator, SHUTDOWN_CLOSING_BUDGET_MS } from './queue/orchestrator';
export { Task, type TaskMetadata } from './queue/task.decorator';
export type {
  ExecutionState,
  InvokeOptions,
  InvokeResult,
  InvokeRequest,
  AttemptError,
  Execution,
  ReplayFilter,
  TaskQueueCounts,
  QueueStats,
  TaskContext,
  TaskOptions,
  TaskHandler,
} from './queue/queue.interfaces';
export type { QueueEventMap } from './queue/queue-events';
export { InvalidInvokeError, isInvalidInvokeError } from './queue/invalid-invoke.error';
export { PermanentTaskError, TaskTimeoutError, ExecutionCancelledError, LeaseLostError } from './queue/queue-errors';
export { QUEUE_MIGRATIONS } from './queue/queue-tokens';
export { readMigrations, type Migration } from './queue/migrations/migration-files';
