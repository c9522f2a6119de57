import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/unit/support/fake-clock.js';
import { WorkQueue } from './queue.js';
import { ExponentialBackoff, MaxOfRateLimiter, TokenBucket } from './ratelimit.js';

const newQueue = (clock = new FakeClock()) => ({
  clock,
  q: new WorkQueue(
    clock,
    new MaxOfRateLimiter(new ExponentialBackoff(5, 1000), new TokenBucket(clock, 10, 100)),
  ),
});

describe('WorkQueue', () => {
  it('collapses repeated adds of a waiting key into one', async () => {
    const { q } = newQueue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key to two workers; an add during processing requeues it once after done', async () => {
    const { q } = newQueue();
    q.add('k');
    const key = await q.get();
    q.add('k');
    q.add('k');
    expect(q.len()).toBe(0);
    q.done(key!);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('k');
    q.done('k');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting worker', async () => {
    const { q } = newQueue();
    const next = q.get();
    q.add('x');
    expect(await next).toBe('x');
  });

  it('adds after a delay, keeping the earliest pending time', () => {
    const { q, clock } = newQueue();
    q.addAfter('k', 1000);
    q.addAfter('k', 5000);
    clock.advance(999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(10_000);
    expect(q.len()).toBe(1);
  });

  it('backs off exponentially per key and resets on forget', async () => {
    const { q, clock } = newQueue();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      q.addRateLimited('k');
      while (q.len() === 0) clock.advance(1);
      delays.push(clock.now() - start);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(q.failures('k')).toBe(4);
    q.forget('k');
    expect(q.failures('k')).toBe(0);
  });

  it('resolves waiting workers with undefined on shutdown and ignores later adds', async () => {
    const { q } = newQueue();
    const next = q.get();
    q.shutDown();
    expect(await next).toBeUndefined();
    q.add('k');
    expect(q.len()).toBe(0);
  });
});

describe('rate limiters', () => {
  it('caps the exponential backoff', () => {
    const b = new ExponentialBackoff(5, 100);
    expect([1, 2, 3, 4, 5, 6].map(() => b.when('k'))).toEqual([5, 10, 20, 40, 80, 100]);
  });

  it('token bucket allows a burst, then spaces retries at qps and refills with time', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, 10, 3);
    expect([bucket.when('a'), bucket.when('b'), bucket.when('c')]).toEqual([0, 0, 0]);
    expect(bucket.when('d')).toBe(100);
    expect(bucket.when('e')).toBe(200);
    clock.advance(10_000);
    expect(bucket.when('f')).toBe(0);
  });
});

describe('WorkQueue urgent adds', () => {
  it('hand out urgent keys first, in their order, and promote a waiting or processing key', async () => {
    const { q } = newQueue();
    q.add('a');
    q.add('b');
    q.add('c');
    q.add('u1', true);
    q.add('c', true);
    expect(q.len()).toBe(4);
    expect(await q.get()).toBe('u1');
    expect(await q.get()).toBe('c');
    expect(await q.get()).toBe('a');
    // b waits; a is processing and is added urgently: after done it goes before b.
    q.add('a', true);
    q.done('a');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });
});
