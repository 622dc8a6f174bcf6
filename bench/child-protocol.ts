import type { Metrics } from './workloads/metrics';

/** What the parent asks a child process to measure. */
export type ChildTask =
  | { kind: 'queue'; system: string; case: string; url: string }
  | { kind: 'policy'; client: string; concurrency: number; url: string };

/** What the child answers over IPC. */
export type ChildReply = { ok: true; metrics: Metrics } | { ok: false; error: string };
