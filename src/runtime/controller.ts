import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import type { WorkQueue } from './queue.js';

// The worker side of a controller: N workers take keys from the queue and run
// a level-triggered reconcile; the result decides whether and when the key
// comes back (controller-runtime's result mapping).

export interface ReconcileResult {
  /** Reconcile again after this long, even without an event (polling a running build). */
  requeueAfterMs?: number;
}

/** An error retrying cannot fix; logged and counted, not requeued. */
export class TerminalError extends Error {}

export type ReconcileFn = (key: string) => Promise<ReconcileResult>;

export type QueueAction =
  | { kind: 'forget' }
  | { kind: 'requeueAfter'; ms: number }
  | { kind: 'rateLimited' }
  | { kind: 'drop' };

export function queueActionFor(outcome: { result?: ReconcileResult; error?: unknown }): QueueAction {
  if (outcome.error !== undefined) {
    return outcome.error instanceof TerminalError ? { kind: 'drop' } : { kind: 'rateLimited' };
  }
  const after = outcome.result?.requeueAfterMs;
  return after !== undefined && after >= 0 ? { kind: 'requeueAfter', ms: after } : { kind: 'forget' };
}

export interface ControllerOptions {
  name: string;
  workers: number;
  queue: WorkQueue;
  reconcile: ReconcileFn;
  log: Logger;
  metrics?: Metrics;
}

export class Controller {
  constructor(private readonly opts: ControllerOptions) {}

  /** Runs the workers until the queue is shut down and in-flight reconciles finish. */
  async run(): Promise<void> {
    const workers = Array.from({ length: this.opts.workers }, () => this.worker());
    await Promise.all(workers);
  }

  private async worker(): Promise<void> {
    const { queue, name, metrics, log } = this.opts;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      metrics?.activeWorkers.inc({ controller: name });
      const end = metrics?.reconcileTime.startTimer({ controller: name });
      let outcome: { result?: ReconcileResult; error?: unknown };
      try {
        outcome = { result: await this.opts.reconcile(key) };
      } catch (error) {
        outcome = { error };
      }
      end?.();
      metrics?.activeWorkers.dec({ controller: name });
      const action = queueActionFor(outcome);
      switch (action.kind) {
        case 'forget':
          queue.forget(key);
          metrics?.reconcileTotal.inc({ controller: name, result: 'success' });
          break;
        case 'requeueAfter':
          queue.forget(key);
          queue.addAfter(key, action.ms);
          metrics?.reconcileTotal.inc({ controller: name, result: 'requeue_after' });
          break;
        case 'rateLimited':
          metrics?.reconcileTotal.inc({ controller: name, result: 'error' });
          metrics?.reconcileErrors.inc({ controller: name });
          log.warn(
            { key, err: errorText(outcome.error), failures: queue.failures(key) + 1 },
            'reconcile failed',
          );
          queue.addRateLimited(key);
          break;
        case 'drop':
          queue.forget(key);
          metrics?.reconcileTotal.inc({ controller: name, result: 'error' });
          metrics?.reconcileErrors.inc({ controller: name });
          log.error({ key, err: errorText(outcome.error) }, 'reconcile failed terminally');
          break;
      }
      queue.done(key);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
