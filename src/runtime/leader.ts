import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './clock.js';
import { isAlreadyExists, isConflict, isNotFound } from './kube.js';

// Leader election on a coordination.k8s.io Lease with client-go's semantics
// and defaults (15 s lease, 10 s renew deadline, 2 s retry). Expiry of someone
// else's lease is judged by *our* clock from the moment we last saw the record
// change, never by comparing their renewTime with our clock (skew).

export interface LeaseView {
  holder: string;
  durationSeconds: number;
  renewTime: string;
  resourceVersion: string;
}

export interface Observation {
  key: string;
  at: number;
}

export type LeaseAction = 'create' | 'renew' | 'acquire' | 'wait';

export function decideLease(
  lease: LeaseView | undefined,
  identity: string,
  now: number,
  observed: Observation | undefined,
): { action: LeaseAction; observed: Observation | undefined } {
  if (!lease) return { action: 'create', observed: undefined };
  if (lease.holder === identity) return { action: 'renew', observed: undefined };
  if (!lease.holder) return { action: 'acquire', observed: undefined };
  const key = `${lease.holder}|${lease.renewTime}|${lease.resourceVersion}`;
  const seen = observed?.key === key ? observed : { key, at: now };
  const expired = seen.at + lease.durationSeconds * 1000 <= now;
  return { action: expired ? 'acquire' : 'wait', observed: seen };
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  log?: Logger;
  onStartedLeading: () => void;
  /** Called once when leadership is lost; the process should exit. */
  onStoppedLeading: () => void;
  onStatus?: (leading: boolean) => void;
}

export class LeaderElector {
  private leading = false;
  private observed?: Observation;
  private lastRenew = 0;
  private stopped = false;
  private cancelTick = () => {};
  private readonly clock: Clock;
  private readonly api: k8s.CoordinationV1Api;

  constructor(
    kc: k8s.KubeConfig,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.api = kc.makeApiClient(k8s.CoordinationV1Api);
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops trying; a leader releases the lease so a follower takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTick();
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({
        name: this.opts.name,
        namespace: this.opts.namespace,
      });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 };
      await this.api.replaceNamespacedLease({
        name: this.opts.name,
        namespace: this.opts.namespace,
        body: lease,
      });
    } catch (err) {
      this.opts.log?.warn({ err: String(err) }, 'releasing the leader lease failed');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tryAcquireOrRenew();
    } catch (err) {
      this.opts.log?.warn({ err: String(err) }, 'leader election attempt failed');
    }
    if (this.leading && this.clock.now() - this.lastRenew > (this.opts.renewDeadlineMs ?? 10_000)) {
      this.leading = false;
      this.opts.onStatus?.(false);
      this.opts.log?.error('leader lease not renewed within the renew deadline; stepping down');
      this.opts.onStoppedLeading();
      return;
    }
    if (!this.stopped)
      this.cancelTick = this.clock.setTimer(() => void this.tick(), this.opts.retryPeriodMs ?? 2000);
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { name, namespace, identity } = this.opts;
    const duration = this.opts.leaseDurationSeconds ?? 15;
    let lease: k8s.V1Lease | undefined;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const view: LeaseView | undefined = lease && {
      holder: lease.spec?.holderIdentity ?? '',
      durationSeconds: lease.spec?.leaseDurationSeconds ?? duration,
      renewTime: String(lease.spec?.renewTime ?? ''),
      resourceVersion: lease.metadata?.resourceVersion ?? '',
    };
    const now = this.clock.now();
    const decision = decideLease(view, identity, now, this.observed);
    this.observed = decision.observed;
    if (decision.action === 'wait') return;
    const time = new k8s.V1MicroTime(now);
    try {
      if (decision.action === 'create') {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: duration,
              acquireTime: time,
              renewTime: time,
              leaseTransitions: 0,
            },
          },
        });
      } else if (lease) {
        const spec = lease.spec ?? {};
        const acquiring = decision.action === 'acquire';
        lease.spec = {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds: duration,
          renewTime: time,
          acquireTime: acquiring ? time : spec.acquireTime,
          leaseTransitions: (spec.leaseTransitions ?? 0) + (acquiring ? 1 : 0),
        };
        await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      }
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) return; // someone else won this round
      throw err;
    }
    this.lastRenew = now;
    if (!this.leading) {
      this.leading = true;
      this.opts.onStatus?.(true);
      this.opts.log?.info({ identity }, 'became leader');
      this.opts.onStartedLeading();
    }
  }
}
