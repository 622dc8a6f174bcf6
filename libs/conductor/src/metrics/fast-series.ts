import type { Registry } from 'prom-client';

type MetricValue = { value: number; labels: Record<string, string | number>; metricName?: string };
type PromMetric = Parameters<Registry['registerMetric']>[0];

/** One labelled series of a `FastHistogram`: per-bucket counts (not cumulative), sum and count. */
export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Counts one value: a search over the bounds, no allocation. */
  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/** One labelled series of a `FastCounter`. */
export class CounterSeries {
  value = 0;

  constructor(readonly labels: Record<string, string>) {}

  inc(by = 1): void {
    this.value += by;
  }
}

/**
 * Labelled series for the hot paths (one observation per statement or per execution). prom-client's own
 * metrics validate and hash the labels on every observation, even through `labels()`; these resolve a
 * series once and then only count. The registry reads them at scrape time, in the usual text format.
 */
abstract class FastMetric<S> {
  private readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'histogram' | 'counter',
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as PromMetric);
  }

  /** The series of these label values, made on first use; keep it to observe without lookups. */
  labels(values: Record<string, string>): S {
    const key = this.labelNames.map((name) => values[name]).join('\u0000');
    let found = this.series.get(key);
    if (!found) {
      found = this.create(Object.fromEntries(this.labelNames.map((name) => [name, values[name]])));
      this.series.set(key, found);
    }
    return found;
  }

  /** Forgets every series. */
  reset(): void {
    this.series.clear();
  }

  /** What prom-client's registry renders. */
  get(): { name: string; help: string; type: string; aggregator: 'sum'; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const series of this.series.values()) this.render(series, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  protected abstract create(labels: Record<string, string>): S;
  protected abstract render(series: S, into: MetricValue[]): void;
}

/** A histogram with prom-client's output and an allocation-free `observe`. */
export class FastHistogram extends FastMetric<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, 'histogram', labelNames, registry);
  }

  protected create(labels: Record<string, string>): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  protected render(series: HistogramSeries, into: MetricValue[]): void {
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += series.counts[i];
      into.push({ metricName: `${this.name}_bucket`, labels: { ...series.labels, le: bound }, value: cumulative });
    });
    into.push({ metricName: `${this.name}_bucket`, labels: { ...series.labels, le: '+Inf' }, value: series.count });
    into.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
    into.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
  }
}

/** A counter with prom-client's output and an allocation-free `inc`. */
export class FastCounter extends FastMetric<CounterSeries> {
  constructor(name: string, help: string, labelNames: readonly string[], registry: Registry) {
    super(name, help, 'counter', labelNames, registry);
  }

  protected create(labels: Record<string, string>): CounterSeries {
    return new CounterSeries(labels);
  }

  protected render(series: CounterSeries, into: MetricValue[]): void {
    into.push({ labels: series.labels, value: series.value });
  }
}
