import { describe, expect, it } from 'vitest';
import { decideLease, type LeaseView } from './leader.js';

const other: LeaseView = { holder: 'b', durationSeconds: 15, renewTime: 't1', resourceVersion: '7' };

describe('decideLease', () => {
  it('creates a missing lease and renews its own', () => {
    expect(decideLease(undefined, 'a', 0, undefined).action).toBe('create');
    expect(decideLease({ ...other, holder: 'a' }, 'a', 0, undefined).action).toBe('renew');
    expect(decideLease({ ...other, holder: '' }, 'a', 0, undefined).action).toBe('acquire');
  });

  it('takes over only after the lease duration has passed on its own clock without a change', () => {
    let d = decideLease(other, 'a', 1000, undefined);
    expect(d.action).toBe('wait');
    d = decideLease(other, 'a', 15_999, d.observed);
    expect(d.action).toBe('wait');
    d = decideLease(other, 'a', 16_000, d.observed);
    expect(d.action).toBe('acquire');
  });

  it('restarts the expiry clock whenever the holder renews, whatever the remote time says', () => {
    let d = decideLease(other, 'a', 0, undefined);
    d = decideLease({ ...other, renewTime: 'in-the-past', resourceVersion: '8' }, 'a', 14_000, d.observed);
    expect(d.action).toBe('wait');
    d = decideLease({ ...other, renewTime: 'in-the-past', resourceVersion: '8' }, 'a', 28_000, d.observed);
    expect(d.action).toBe('wait');
    d = decideLease({ ...other, renewTime: 'in-the-past', resourceVersion: '8' }, 'a', 29_000, d.observed);
    expect(d.action).toBe('acquire');
  });
});
