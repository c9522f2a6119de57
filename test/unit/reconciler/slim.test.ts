import type * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { classifyJob, podSummary } from '../../../src/reconciler/failures.js';
import { JOB_EVENT_SELECTOR, slimJobEvent, warningsOf } from '../../../src/reconciler/job-events.js';
import { slimJob, slimPod } from '../../../src/reconciler/slim.js';
import type { KubeObject } from '../../../src/runtime/kube.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const metadata = {
  name: 'b-123-abc',
  namespace: 'ns',
  uid: 'u1',
  resourceVersion: '7',
  labels: { 'batch.kubernetes.io/job-name': 'b-123-abc' },
  annotations: { 'stapel.dev/stage-digest': 'd1' },
  ownerReferences: [
    { apiVersion: 'stapel.dev/v1alpha1', kind: 'ImageBuild', name: 'b', uid: 'o', controller: true },
  ],
  creationTimestamp: '2026-12-03T10:00:00Z',
  managedFields: [{ manager: 'kube-controller-manager', fieldsV1: { 'f:status': {} } }],
};

describe('informer transforms', () => {
  it('a slim pod and Job classify as the full ones, without spec and managedFields', () => {
    const pod = {
      metadata,
      spec: { containers: [{ name: 'build', image: 'kaniko', args: ['--dockerfile', 'x'.repeat(10_000)] }] },
      status: {
        phase: 'Failed',
        reason: 'Evicted',
        message: 'The node was low on resource: memory.',
        conditions: [{ type: 'Ready', status: 'False' }],
        podIP: '10.0.0.1',
        containerStatuses: [
          {
            name: 'build',
            image: 'kaniko',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, message: DIGEST, finishedAt: '2026-12-03T10:00:05Z' } },
          },
        ],
      },
    } as unknown as k8s.V1Pod & KubeObject;
    const job = {
      metadata,
      spec: { activeDeadlineSeconds: 600, template: pod.spec },
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    } as unknown as k8s.V1Job & KubeObject;
    const slim = slimPod(pod);
    expect(JSON.stringify(slim)).not.toMatch(/managedFields|xxxx|podIP|conditions/);
    expect(podSummary(slim)).toBe(podSummary(pod));
    expect(classifyJob(slimJob(job), [slim])).toEqual(classifyJob(job, [pod]));
    expect(JSON.stringify(slimJob(job))).not.toMatch(/managedFields|template/);
    expect(slimJob(job).metadata).toMatchObject({ annotations: metadata.annotations, uid: 'u1' });
  });

  it('keeps of a Job event what classifyJob reads, matched to the Job by name and uid', () => {
    expect(JOB_EVENT_SELECTOR).toBe('involvedObject.kind=Job,type=Warning,reason=FailedCreate');
    const event = (name: string, uid: string, message: string, lastTimestamp: string) =>
      slimJobEvent({
        metadata: {
          name: `${name}.${message}`,
          namespace: 'ns',
          managedFields: [],
        } as KubeObject['metadata'],
        involvedObject: { kind: 'Job', namespace: 'ns', name, uid },
        reason: 'FailedCreate',
        message,
        lastTimestamp,
        source: { component: 'job-controller' },
      } as never);
    const events = [
      event('j', 'u1', 'second', '2026-12-03T10:00:09Z'),
      event('j', 'u1', 'first', '2026-12-03T10:00:01Z'),
      event('j', 'old-uid', 'of a deleted Job of the same name', '2026-12-03T09:00:00Z'),
      event('other', 'u2', 'other', '2026-12-03T10:00:00Z'),
    ];
    expect(JSON.stringify(events[0])).not.toMatch(/managedFields|job-controller/);
    expect(warningsOf(events, 'ns', 'j', 'u1')).toEqual([
      { reason: 'FailedCreate', message: 'first' },
      { reason: 'FailedCreate', message: 'second' },
    ]);
  });
});
