import type { V1Pod } from '@kubernetes/client-node';
import { waitFor } from '../lib/wait.js';
import { describePod } from './jobs.js';
import { adminClients } from './kube.js';

/** Creates a pod and waits until `done(pod)` holds; the timeout message shows the pod's last status. */
export async function runPod(
  namespace: string,
  pod: V1Pod,
  done: (pod: V1Pod) => boolean = (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed',
  timeoutMs = 60_000,
): Promise<V1Pod> {
  const { core } = adminClients();
  await core.createNamespacedPod({ namespace, body: pod });
  return waitForPod(namespace, pod.metadata!.name!, done, timeoutMs);
}

export async function waitForPod(
  namespace: string,
  name: string,
  done: (pod: V1Pod) => boolean,
  timeoutMs = 60_000,
  description = 'the expected state',
): Promise<V1Pod> {
  const { core } = adminClients();
  let last = '';
  return waitFor(
    async () => {
      const pod = await core.readNamespacedPod({ name, namespace });
      last = describePod(pod);
      return done(pod) ? pod : undefined;
    },
    { description: `pod ${namespace}/${name} to reach ${description}`, timeoutMs, lastState: () => last },
  );
}
