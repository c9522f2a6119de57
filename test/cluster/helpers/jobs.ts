import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { waitFor } from '../lib/wait.js';
import { adminClients } from './kube.js';

/** Waits until a Job has a condition of `type` with status True; the timeout message shows the Job and its pods. */
export async function waitForJobCondition(
  namespace: string,
  name: string,
  type: 'Complete' | 'Failed' | 'SuccessCriteriaMet' | 'FailureTarget',
  timeoutMs = 90_000,
): Promise<V1Job> {
  const { batch } = adminClients();
  return waitFor(
    async () => {
      const job = await batch.readNamespacedJob({ name, namespace });
      return job.status?.conditions?.some((c) => c.type === type && c.status === 'True') ? job : undefined;
    },
    {
      description: `Job ${namespace}/${name} to be ${type}`,
      timeoutMs,
      intervalMs: 500,
      lastState: () => describeJob(namespace, name),
    },
  );
}

/** The pods a Job made, oldest first. */
export async function jobPods(namespace: string, jobName: string): Promise<V1Pod[]> {
  const { core } = adminClients();
  const list = await core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
  });
  return list.items.sort(
    (a, b) =>
      new Date(a.metadata!.creationTimestamp!).getTime() - new Date(b.metadata!.creationTimestamp!).getTime(),
  );
}

/** A short text of a Job's status and its pods' states, for failure messages. */
export async function describeJob(namespace: string, name: string): Promise<string> {
  const { batch } = adminClients();
  const job = await batch.readNamespacedJob({ name, namespace });
  const pods = await jobPods(namespace, name);
  return [
    `job status: ${JSON.stringify({ ...job.status, conditions: job.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason ?? ''}`) })}`,
    ...pods.map((p) => `pod ${p.metadata!.name}: ${describePod(p)}`),
  ].join('\n');
}

export function describePod(pod: V1Pod): string {
  const states = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map(
    (c) => `${c.name}=${JSON.stringify(c.state)}`,
  );
  return `${pod.status?.phase ?? 'no phase'} ${pod.status?.reason ?? ''} ${states.join(' ')}`;
}
