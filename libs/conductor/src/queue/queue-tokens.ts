/** Token of the migrations the orchestrator applies (the `.sql` files beside it; tests may replace them). */
export const QUEUE_MIGRATIONS = Symbol('ConductorQueueMigrations');
