import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { adminKubeConfig } from '../cluster/helpers/kube.js';
import { waitFor } from '../cluster/lib/wait.js';
import { type RunningOperator, useOperator } from './support/operator.js';

// Two replicas with deploy/'s ServiceAccount: one leads on the Lease, the
// other stands by (ready, not reconciling) and takes over when the leader stops.

const env = useOperator({ start: false });

async function isLeader(op: RunningOperator): Promise<boolean> {
  const text = await (await fetch(`http://127.0.0.1:${op.httpPort}/metrics`)).text();
  return /^leader_election_master_status\{name="stapel-operator-leader"\} 1$/m.test(text);
}

async function leaseHolder(): Promise<string | undefined> {
  const api = adminKubeConfig().makeApiClient(k8s.CoordinationV1Api);
  const lease = await api.readNamespacedLease({ name: 'stapel-operator-leader', namespace: 'stapel-system' });
  return lease.spec?.holderIdentity;
}

describe('leader election', () => {
  it('lets one of two replicas lead and hands over when it stops', { timeout: 180_000 }, async () => {
    const first = await env.startReplica('replica-a');
    await waitFor(() => isLeader(first), { description: 'replica-a leading', timeoutMs: 60_000 });
    const holder = await leaseHolder();
    expect(holder).toBeTruthy();

    const second = await env.startReplica('replica-b');
    // The follower is ready (a healthy standby) while the Lease stays with the leader.
    expect(await isLeader(second)).toBe(false);
    expect(await leaseHolder()).toBe(holder);

    await first.stop();
    await waitFor(() => isLeader(second), {
      description: 'replica-b taking over',
      timeoutMs: 60_000,
      lastState: () => second.process.logTail(5),
    });
    expect(await leaseHolder()).not.toBe(holder);
  });
});
