import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { jobPods, waitForJobCondition } from './helpers/jobs.js';
import { adminClients, statusOf } from './helpers/kube.js';
import { testNamespace } from './helpers/namespace.js';
import { waitFor } from './lib/wait.js';

function job(name: string, script: string, backoffLimit: number): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: inject('busyboxImage'), command: ['sh', '-c', script] }],
        },
      },
    },
  };
}

describe('Jobs run by the test kubelet', () => {
  it('a Job whose pod exits 0 reaches Complete, with the termination message reported', async () => {
    const namespace = await testNamespace('job-ok');
    const { batch } = adminClients();
    await batch.createNamespacedJob({
      namespace,
      body: job('ok', 'echo "built $(hostname)" > /dev/termination-log', 0),
    });
    const done = await waitForJobCondition(namespace, 'ok', 'Complete');
    expect(done.status?.succeeded).toBe(1);
    const [pod] = await jobPods(namespace, 'ok');
    expect(pod?.status?.phase).toBe('Succeeded');
    const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(terminated?.message).toBe(`built ${pod?.metadata?.name}\n`);
    expect(pod?.spec?.nodeName).toBe(inject('kubeletNode'));
  });

  it('a failing Job is retried per backoffLimit and reaches Failed', async () => {
    const namespace = await testNamespace('job-fail');
    const { batch } = adminClients();
    await batch.createNamespacedJob({ namespace, body: job('fails', 'echo broken >&2; exit 3', 1) });
    const failed = await waitForJobCondition(namespace, 'fails', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(failed.status?.failed).toBe(2); // the first try plus one retry
    const pods = await jobPods(namespace, 'fails');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.status?.phase).toBe('Failed');
      expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
        exitCode: 3,
        reason: 'Error',
      });
    }
  });

  it('deleting the owner of a Job removes the Job and its pods (garbage collector)', async () => {
    const namespace = await testNamespace('job-gc');
    const { batch, core } = adminClients();
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
    const body = job('owned', 'sleep 300', 0);
    body.metadata!.ownerReferences = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'owner',
        uid: owner.metadata!.uid!,
        blockOwnerDeletion: true,
      },
    ];
    await batch.createNamespacedJob({ namespace, body });
    await waitFor(async () => (await jobPods(namespace, 'owned'))[0]?.status?.phase === 'Running', {
      description: 'the Job pod to run',
      timeoutMs: 60_000,
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace, propagationPolicy: 'Foreground' });
    await waitFor(
      async () => {
        const gone = await batch.readNamespacedJob({ name: 'owned', namespace }).then(
          () => false,
          (err) => statusOf(err) === 404,
        );
        return gone && (await jobPods(namespace, 'owned')).length === 0;
      },
      {
        description: 'the garbage collector to delete the Job and its pod',
        timeoutMs: 90_000,
        lastState: async () => (await jobPods(namespace, 'owned')).map((p) => p.metadata?.name).join(', '),
      },
    );
  });
});
