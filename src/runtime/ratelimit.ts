import type { Clock } from './clock.js';

// client-go's default controller rate limiter: the larger of a per-key
// exponential backoff and a global token bucket (which only throttles
// retries, so a burst of failures cannot hammer the API server).

export interface RateLimiter {
  /** Delay before the key may be retried, counting this as one more failure. */
  when(key: string): number;
  forget(key: string): void;
  failures(key: string): number;
}

export class ExponentialBackoff implements RateLimiter {
  private readonly counts = new Map<string, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}
  when(key: string): number {
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }
  forget(key: string): void {
    this.counts.delete(key);
  }
  failures(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/** Token bucket: `qps` tokens per second, at most `burst`; a reservation may go into debt. */
export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly clock: Clock,
    private readonly qps = 10,
    private readonly burst = 100,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }
  when(_key: string): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }
  forget(_key: string): void {}
  failures(_key: string): number {
    return 0;
  }
}

export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];
  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }
  when(key: string): number {
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }
  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }
  failures(key: string): number {
    return Math.max(...this.limiters.map((l) => l.failures(key)));
  }
}

export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(new ExponentialBackoff(5, 1_000_000), new TokenBucket(clock, 10, 100));
}
