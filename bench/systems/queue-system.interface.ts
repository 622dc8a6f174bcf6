/** The payload of every benchmark job: its index, so a handler can find when it was invoked. */
export interface BenchPayload {
  i: number;
}

/** Called by a system's worker when a job's handler starts; the job is a no-op otherwise. */
export type BenchHandler = (payload: BenchPayload) => void;

/**
 * QueueSystem is one queue under test, driven the same way for every peer: set up (migrate, open a
 * producer), enqueue, start workers on what is queued, count what is left, close.
 */
export interface QueueSystem {
  /** Creates the schema and opens a producer; not timed. */
  setup(): Promise<void>;
  /** Enqueues one job. */
  enqueue(payload: BenchPayload): Promise<void>;
  /** Enqueues many jobs in one call (one round trip where the system allows it). */
  enqueueBatch(payloads: BenchPayload[]): Promise<void>;
  /** Starts workers running `handler` with this many jobs at once. */
  startWorkers(concurrency: number, handler: BenchHandler): Promise<void>;
  /** Jobs not yet finished and recorded as such in the database. */
  pending(): Promise<number>;
  /** Stops workers and closes every connection. */
  close(): Promise<void>;
}

/** QueueSystemSpec names a system, its settings as reported, and how to build one on a database. */
export interface QueueSystemSpec {
  id: string;
  label: string;
  /** Settings shown in the report, for a given worker concurrency. */
  settings(concurrency: number): Record<string, unknown>;
  create(url: string): Promise<QueueSystem>;
}
