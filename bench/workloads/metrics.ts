/** What one measurement produced: named numbers (`jobs/s`, `p50 ms`, ...). */
export type Metrics = Record<string, number>;
