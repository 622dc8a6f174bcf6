/** Rows per `enqueueBatch` call when jobs are pre-inserted. */
export const BATCH_SIZE = 500;

/** BenchSettings are the sizes of one run, read from the environment. */
export interface BenchSettings {
  quick: boolean;
  /** Jobs per enqueue and drain measurement. */
  jobs: number;
  /**
   * Untimed jobs before each enqueue and drain measurement (a tenth of `jobs`), the same for every system:
   * each measurement runs in a fresh process, and its first thousands of jobs also pay for V8 compiling
   * the code on the same two cores (measured: Conductor's worker took 2.0–6.4 µs a job of helper-thread
   * CPU in its first 20,000 jobs, 0.8–0.9 µs after), which says little about a queue that runs for hours.
   */
  warmUpJobs: number;
  /**
   * Untimed jobs before the batched enqueue: `jobs`, as many calls untimed as timed. What warms up the
   * code is calls, and a tenth of `jobs` was four calls there against 2,000 for the single enqueue. It
   * moved no ratio past the noise (two alternations with four calls: 0.78× and 0.83× raw SQL at the
   * defaults; with forty: 0.74× and 0.86×), but no system is now timed on code run four times.
   */
  batchWarmUpJobs: number;
  /** Rows per `invokeBatch` call. */
  batchSize: number;
  /** Invokes in flight during the single enqueue. */
  inFlight: number;
  /** Worker concurrencies of the drain. */
  drainConcurrencies: number[];
  /** Trickle: this many jobs, one every `trickleGapMs`. */
  trickleJobs: number;
  trickleGapMs: number;
  /** Worker concurrency while the trickle runs. */
  trickleConcurrency: number;
  /**
   * Each measurement runs this many times; the median is reported. Five in a full run: the same system's
   * drain moved between 34,000 and 55,000 jobs/s from one round to the next, and with three rounds the
   * median of a system flipped goals between two runs of the same code.
   */
  repeats: number;
  /** A drain that has not finished after this long is stopped and its rate taken from what it did. */
  drainCapMs: number;
  /** `SELECT 1` calls per policy measurement, by concurrency. */
  policyCalls: Record<number, number>;
  policyConcurrencies: number[];
  /** Only these systems (comma-separated ids in BENCH_SYSTEMS), or all. */
  systems?: string[];
  /** Only these queue workloads (comma-separated ids in BENCH_CASES, e.g. enqueue-batch,trickle), or all. */
  cases?: string[];
  /** Which parts run (BENCH_PARTS=queue,policy; both by default). */
  parts: { queue: boolean; policy: boolean };
  /** An existing server instead of the embedded one. */
  serverUrl?: string;
}

/** A run of everything at full size: only such a run replaces docs/benchmarks.md. */
export function isFullRun(s: BenchSettings): boolean {
  return !s.quick && !s.systems && !s.cases && s.parts.queue && s.parts.policy;
}

/** Reads BENCH_QUICK, BENCH_REPEATS, BENCH_JOBS, BENCH_SYSTEMS, BENCH_CASES, BENCH_PARTS and BENCH_PG_URL. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const jobs = positive(env.BENCH_JOBS, quick ? 2_000 : 20_000, 'BENCH_JOBS');
  const parts = (env.BENCH_PARTS ?? 'queue,policy').split(',').map((p) => p.trim());
  return {
    quick,
    jobs,
    warmUpJobs: Math.max(1, Math.round(jobs / 10)),
    batchWarmUpJobs: jobs,
    batchSize: BATCH_SIZE,
    inFlight: 10,
    drainConcurrencies: [10, 50],
    trickleJobs: quick ? 50 : 200,
    trickleGapMs: 20,
    trickleConcurrency: 10,
    repeats: positive(env.BENCH_REPEATS, quick ? 1 : 5, 'BENCH_REPEATS'),
    drainCapMs: quick ? 15_000 : 30_000,
    policyCalls: quick ? { 1: 1_000, 32: 4_000 } : { 1: 10_000, 32: 40_000 },
    policyConcurrencies: [1, 32],
    systems: list(env.BENCH_SYSTEMS),
    cases: list(env.BENCH_CASES),
    parts: { queue: parts.includes('queue'), policy: parts.includes('policy') },
    serverUrl: env.BENCH_PG_URL || undefined,
  };
}

/** `value` as a positive integer; `fallback` when unset or empty. */
export function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

/** A comma-separated list, trimmed; undefined when unset or empty. */
function list(value: string | undefined): string[] | undefined {
  return value ? value.split(',').map((item) => item.trim()) : undefined;
}
