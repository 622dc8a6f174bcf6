import type { Metrics } from './workloads/metrics';

/** What the parent asks a child process to measure. */
export type ChildTask =
  { kind: 'queue'; system: string; case: string; url: string } | { kind: 'policy'; concurrency: number; url: string };

/** What the child answers over IPC: a queue task's metrics, or a policy task's by client id. */
export type ChildReply =
  { ok: true; metrics: Metrics } | { ok: true; byClient: Record<string, Metrics> } | { ok: false; error: string };
