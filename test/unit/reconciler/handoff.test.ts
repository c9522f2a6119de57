import { describe, expect, it } from 'vitest';
import { HandoffTimer } from '../../../src/reconciler/handoff.js';

describe('HandoffTimer', () => {
  it('times from the earliest unclaimed pod finish of a build to its next Job, once', () => {
    let now = 1000;
    const t = new HandoffTimer(() => now);
    t.podFinished('ns/a');
    now = 1004;
    t.podFinished('ns/a'); // a second stage of the same build: the earlier finish counts
    t.podFinished('ns/b');
    now = 1010;
    expect(t.claim('ns/a')).toBe(10);
    expect(t.claim('ns/a')).toBeUndefined();
    t.drop('ns/b'); // its pass created no Job (last stage): nothing to time later
    now = 2000;
    expect(t.claim('ns/b')).toBeUndefined();
  });
});
