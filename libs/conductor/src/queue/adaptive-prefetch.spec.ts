import { AdaptivePrefetch, MAX_PREFETCH } from './adaptive-prefetch';

describe('AdaptivePrefetch', () => {
  it('holds as many as the concurrency while nothing is known', () => {
    expect(new AdaptivePrefetch(10, null, () => 0).size()).toBe(10);
  });

  it('grows with fast handlers, up to its ceiling', () => {
    let now = 0;
    const prefetch = new AdaptivePrefetch(10, null, () => now);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 2_000; i++) prefetch.finishedOne();
      now += 100; // 20 000 per second
      prefetch.size();
    }
    expect(prefetch.size()).toBe(MAX_PREFETCH);
  });

  it('stays at the concurrency for slow handlers', () => {
    let now = 0;
    const prefetch = new AdaptivePrefetch(10, null, () => now);
    for (let round = 0; round < 20; round++) {
      prefetch.finishedOne();
      now += 1_000; // one per second
      prefetch.size();
    }
    expect(prefetch.size()).toBe(10);
  });

  it('sizes to a quarter second of work in between', () => {
    let now = 0;
    const prefetch = new AdaptivePrefetch(10, null, () => now);
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 100; i++) prefetch.finishedOne();
      now += 100; // 1 000 per second
      prefetch.size();
    }
    expect(prefetch.size()).toBe(250);
  });

  it('keeps a fixed prefetch as given', () => {
    const prefetch = new AdaptivePrefetch(10, 3, () => 0);
    for (let i = 0; i < 1_000; i++) prefetch.finishedOne();
    expect(prefetch.size()).toBe(3);
  });

  it('measures fast handlers within milliseconds, before the 50 ms window is up', () => {
    let now = 0;
    const prefetch = new AdaptivePrefetch(10, null, () => now);
    for (let i = 0; i < 100; i++) prefetch.finishedOne();
    now += 5; // 20 000 per second, after only 5 ms
    expect(prefetch.size()).toBe(MAX_PREFETCH);
  });

  it('waits for the window when few have finished, or all within a millisecond, so a burst is not taken for a rate', () => {
    let now = 0;
    const prefetch = new AdaptivePrefetch(10, null, () => now);
    for (let i = 0; i < 20; i++) prefetch.finishedOne();
    now += 2;
    expect(prefetch.size()).toBe(10);
    const burst = new AdaptivePrefetch(10, null, () => now);
    for (let i = 0; i < 100; i++) burst.finishedOne();
    now += 1;
    expect(burst.size()).toBe(10);
  });
});
