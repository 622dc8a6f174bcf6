/** Histogram buckets (seconds) of one statement's phases: sub-millisecond to a few seconds. */
export const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Histogram buckets (seconds) of handler runs and queue waits: milliseconds to many minutes. */
export const TASK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** Numeric value of each breaker state in `conductor_db_breaker_state`, so `> 0` alerts on anything but closed. */
export const BREAKER_STATE_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;
