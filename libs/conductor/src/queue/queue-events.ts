/** Events the queue emits, for metrics and tracing; the queue does not know who listens. */
export interface QueueEventMap {
  /** Executions were created (deduplicated ones are not counted). */
  invoked: [{ task: string; queue: string; count: number }];
  /** A handler started; `waitMs` is from when it was due to when it started. */
  started: [{ task: string; queue: string; attempt: number; waitMs: number }];
  /** An attempt succeeded and its completion was recorded. */
  completed: [{ task: string; queue: string; durationMs: number }];
  /** An attempt failed; `dead` when it was the last one. */
  failed: [{ task: string; queue: string; durationMs: number; dead: boolean; error: unknown }];
  /** A completion or failure was rejected because its lease was no longer current. */
  late: [{ task: string; queue: string }];
}
