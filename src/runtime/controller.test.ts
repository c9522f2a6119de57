import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/unit/support/fake-clock.js';
import { Controller, queueActionFor, TerminalError } from './controller.js';
import { WorkQueue } from './queue.js';
import { ExponentialBackoff } from './ratelimit.js';

describe('queueActionFor', () => {
  it('maps reconcile outcomes like controller-runtime', () => {
    expect(queueActionFor({ result: {} })).toEqual({ kind: 'forget' });
    expect(queueActionFor({ result: { requeueAfterMs: 500 } })).toEqual({ kind: 'requeueAfter', ms: 500 });
    expect(queueActionFor({ error: new Error('boom') })).toEqual({ kind: 'rateLimited' });
    expect(queueActionFor({ error: new TerminalError('bad') })).toEqual({ kind: 'drop' });
  });
});

describe('Controller', () => {
  it('reconciles several keys in parallel but one key never twice at once', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue(clock, new ExponentialBackoff());
    const running = new Set<string>();
    let maxParallel = 0;
    let overlapSameKey = false;
    const seen: string[] = [];
    const reconcile = async (key: string) => {
      if (running.has(key)) overlapSameKey = true;
      running.add(key);
      maxParallel = Math.max(maxParallel, running.size);
      seen.push(key);
      if (key === 'a' && seen.filter((k) => k === 'a').length === 1) queue.add('a'); // event during reconcile
      await new Promise((r) => setTimeout(r, 5));
      running.delete(key);
      return {};
    };
    const controller = new Controller({
      name: 't',
      workers: 3,
      queue,
      reconcile,
      log: pino({ level: 'silent' }),
    });
    const done = controller.run();
    for (const k of ['a', 'b', 'c', 'a', 'b']) queue.add(k);
    await new Promise((r) => setTimeout(r, 60));
    queue.shutDown();
    await done;
    expect(overlapSameKey).toBe(false);
    expect(maxParallel).toBe(3);
    // 'a' was added twice while being reconciled: the adds collapse into one more pass.
    expect(seen.filter((k) => k === 'a')).toHaveLength(2);
    // 'b' was already taken by a worker when it was added again: it comes back exactly once.
    expect(seen.filter((k) => k === 'b')).toHaveLength(2);
    expect(seen.filter((k) => k === 'c')).toHaveLength(1);
  });
});
