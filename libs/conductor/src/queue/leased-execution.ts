/** An execution this process holds a lease on. */
export interface LeasedExecution {
  id: string;
  task: string;
  queue: string;
  payload: unknown;
  attempts: number;
  lease: string;
  wait_ms: number;
}
