import type { LeasedExecution } from './leased-execution';
import { RunningAttempt } from './running-attempt';
import { RunningAttempts } from './running-attempts';

const attempt = (id: string): RunningAttempt =>
  new RunningAttempt({
    id,
    task: 'send',
    queue: 'default',
    payload: {},
    attempts: 1,
    lease: id,
    wait_ms: 0,
    priority: 0,
  } as LeasedExecution);

describe('RunningAttempts', () => {
  it('finds each attempt by its execution id until it is removed, whatever the order of removal', () => {
    const running = new RunningAttempts();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(attempt);
    for (const x of [a, b, c, d]) running.add(x);
    running.remove(b);
    expect(running.size).toBe(3);
    expect(running.byId('b')).toBeUndefined();
    expect([running.byId('a'), running.byId('c'), running.byId('d')]).toEqual([a, c, d]);
    running.remove(d);
    running.remove(a);
    expect(running.values()).toEqual([c]);
    running.remove(c);
    expect(running.size).toBe(0);
    expect(running.byId('c')).toBeUndefined();
  });

  it('ignores the removal of an attempt it does not hold, and keeps the others', () => {
    const running = new RunningAttempts();
    const [a, b] = ['a', 'b'].map(attempt);
    running.add(a);
    running.remove(b);
    running.remove(a);
    running.remove(a);
    expect(running.size).toBe(0);
    running.add(b);
    expect(running.values()).toEqual([b]);
  });

  it('keeps exactly the attempts not yet removed when many are removed in a scattered order', () => {
    const running = new RunningAttempts();
    const all = Array.from({ length: 200 }, (_, i) => attempt(`e${i}`));
    for (const x of all) running.add(x);
    const removed = all.filter((_, i) => (i * 7919) % 3 !== 0);
    for (const x of removed) running.remove(x);
    const kept = all.filter((x) => !removed.includes(x));
    expect(running.size).toBe(kept.length);
    expect(new Set(running.values())).toEqual(new Set(kept));
    for (const x of kept) expect(running.byId(x.id)).toBe(x);
    for (const x of removed) expect(running.byId(x.id)).toBeUndefined();
  });

  it('hands out a copy: removing attempts while iterating it visits every one', () => {
    const running = new RunningAttempts();
    const all = ['a', 'b', 'c'].map(attempt);
    for (const x of all) running.add(x);
    const visited: RunningAttempt[] = [];
    for (const x of running.values()) {
      visited.push(x);
      running.remove(x);
    }
    expect(visited).toEqual(all);
    expect(running.size).toBe(0);
  });
});
