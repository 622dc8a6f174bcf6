/** An execution this process holds a lease on. */
export interface LeasedExecution {
  id: string;
  task: string;
  queue: string;
  payload: unknown;
  attempts: number;
  lease: string;
  wait_ms: number;
  /** The priority it was fetched by; the worker's buffer keeps higher ones first (start-order.ts). */
  priority: number;
}
