import { Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-series';

describe('fast series', () => {
  it('renders a histogram as prom-client does: cumulative buckets, +Inf, sum and count', async () => {
    const registry = new Registry();
    const histogram = new FastHistogram('t_seconds', 'a test histogram', ['db'], [0.1, 1], registry);
    const series = histogram.labels({ db: 'main' });
    for (const value of [0.05, 0.1, 0.5, 3]) series.observe(value);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE t_seconds histogram');
    expect(text).toContain('t_seconds_bucket{db="main",le="0.1"} 2');
    expect(text).toContain('t_seconds_bucket{db="main",le="1"} 3');
    expect(text).toContain('t_seconds_bucket{db="main",le="+Inf"} 4');
    expect(text).toContain('t_seconds_sum{db="main"} 3.65');
    expect(text).toContain('t_seconds_count{db="main"} 4');
  });

  it('keeps one series per label set and counts', async () => {
    const registry = new Registry();
    const counter = new FastCounter('t_total', 'a test counter', ['task'], registry);
    counter.labels({ task: 'a' }).inc();
    counter.labels({ task: 'a' }).inc(2);
    counter.labels({ task: 'b' }).inc();
    const text = await registry.metrics();
    expect(text).toContain('t_total{task="a"} 3');
    expect(text).toContain('t_total{task="b"} 1');
    counter.reset();
    expect(await registry.metrics()).not.toContain('t_total{');
  });
});
