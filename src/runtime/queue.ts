import type { Clock } from './clock.js';
import type { RateLimiter } from './ratelimit.js';

// A de-duplicating work queue with controller-runtime semantics: a key is
// handed to at most one worker at a time; adds while it is being processed
// mark it dirty and it comes back once after done(); N adds of a waiting key
// collapse into one. An urgent add (a build pod finished: the next stage's Job
// waits on this pass) goes before the other waiting keys, so a busy queue of
// passes that change nothing does not delay a hand-off.

export interface QueueObserver {
  depth(n: number): void;
  added(): void;
  retried(): void;
  /** Seconds the key waited in the queue before a worker took it. */
  waited(seconds: number): void;
}

const noObserver: QueueObserver = { depth() {}, added() {}, retried() {}, waited() {} };

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys added urgently, handed out before `queue`, in the order they came. */
  private readonly urgentQueue: string[] = [];
  /** Dirty keys whose next push is urgent (added urgently while processing). */
  private readonly urgent = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; cancel: () => void }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    private readonly observer: QueueObserver = noObserver,
  ) {}

  add(key: string, urgent = false): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) {
      if (urgent) this.promote(key);
      return;
    }
    this.observer.added();
    this.dirty.add(key);
    if (urgent) this.urgent.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** A dirty key becomes urgent: moved ahead if it waits, or pushed ahead after its pass. */
  private promote(key: string): void {
    if (this.processing.has(key)) {
      this.urgent.add(key);
      return;
    }
    const at = this.queue.indexOf(key);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.urgentQueue.push(key);
  }

  /** Adds the key after ms; an earlier pending add wins over a later one. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const cancel = this.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, cancel });
  }

  addRateLimited(key: string): void {
    this.observer.retried();
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: string): void {
    this.limiter.forget(key);
  }

  failures(key: string): number {
    return this.limiter.failures(key);
  }

  /** Resolves with the next key, or undefined once the queue is shut down and drained of waiters. */
  get(): Promise<string | undefined> {
    const key = this.urgentQueue.shift() ?? this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  len(): number {
    return this.queue.length + this.urgentQueue.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private push(key: string): void {
    this.enqueuedAt.set(key, this.clock.now());
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take(key));
    else if (this.urgent.has(key)) this.urgentQueue.push(key);
    else this.queue.push(key);
    this.urgent.delete(key);
    this.observer.depth(this.len());
  }

  private take(key: string): string {
    this.processing.add(key);
    this.dirty.delete(key);
    this.urgent.delete(key);
    const at = this.enqueuedAt.get(key);
    this.enqueuedAt.delete(key);
    if (at !== undefined) this.observer.waited((this.clock.now() - at) / 1000);
    this.observer.depth(this.len());
    return key;
  }
}
