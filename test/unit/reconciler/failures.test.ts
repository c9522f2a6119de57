import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  classifyJob,
  jobSummary,
  podSummary,
  pushedDigest,
  stepExitStatus,
} from '../../../src/reconciler/failures.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const job = (conditions: Array<{ type: string; reason?: string }> = []): V1Job => ({
  spec: { activeDeadlineSeconds: 3600, template: {} },
  status: {
    startTime: '2026-12-03T10:00:00Z' as unknown as Date,
    conditions: conditions.map((c) => ({ ...c, status: 'True' })),
  },
});
const terminated = (name: string, exitCode: number, extra: Record<string, unknown> = {}) => ({
  name,
  image: `${name}-image`,
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode, ...extra } },
});
const pod = (phase: string, status: Partial<NonNullable<V1Pod['status']>> = {}): V1Pod => ({
  metadata: { name: 'p', creationTimestamp: '2026-12-03T10:00:00Z' as unknown as Date },
  status: { phase, ...status },
});

describe('classifyJob', () => {
  it('reads the pushed digest of a successful build', () => {
    const p = pod('Succeeded', { containerStatuses: [terminated('build', 0, { message: `${DIGEST}\n` })] });
    expect(classifyJob(job([{ type: 'Complete' }]), [p])).toMatchObject({
      state: 'succeeded',
      digest: DIGEST,
    });
  });

  it('takes the result of a pod that pushed its image before the Job is marked Complete', () => {
    const p = pod('Succeeded', {
      containerStatuses: [
        terminated('build', 0, { message: DIGEST, finishedAt: '2026-12-03T10:00:05Z' as unknown as Date }),
      ],
    });
    expect(classifyJob(job(), [p])).toEqual({
      state: 'succeeded',
      digest: DIGEST,
      startedAt: '2026-12-03T10:00:00Z',
      finishedAt: '2026-12-03T10:00:05Z',
    });
    // Without a pushed digest the pod proves nothing: the Job decides.
    expect(classifyJob(job(), [pod('Succeeded', { containerStatuses: [terminated('build', 0)] })])).toEqual({
      state: 'pending',
      startedAt: '2026-12-03T10:00:00Z',
    });
  });

  it('never trusts a digest written by a container that failed', () => {
    const p = pod('Failed', { containerStatuses: [terminated('build', 1, { message: DIGEST })] });
    expect(pushedDigest(p)).toBeUndefined();
  });

  it('tells OOMKilled, eviction, ephemeral storage and deadline apart', () => {
    const failed = job([{ type: 'Failed', reason: 'BackoffLimitExceeded' }]);
    const oom = pod('Failed', { containerStatuses: [terminated('build', 137, { reason: 'OOMKilled' })] });
    expect(classifyJob(failed, [oom])).toMatchObject({ state: 'failed', reason: 'OOMKilled' });
    const evicted = pod('Failed', { reason: 'Evicted', message: 'The node was low on resource: memory.' });
    expect(classifyJob(failed, [evicted])).toMatchObject({ reason: 'Evicted' });
    const disk = pod('Failed', {
      reason: 'Evicted',
      message: 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi.',
    });
    expect(classifyJob(failed, [disk])).toMatchObject({ reason: 'EphemeralStorageExceeded' });
    expect(classifyJob(job([{ type: 'Failed', reason: 'DeadlineExceeded' }]), [])).toMatchObject({
      reason: 'DeadlineExceeded',
    });
  });

  it('tells a pod the node refused before running it (PodRejected) from a failed build', () => {
    const failed = job([{ type: 'Failed', reason: 'BackoffLimitExceeded' }]);
    const message =
      "Pod was rejected: Node didn't have enough resource: cpu, requested: 4000, used: 0, capacity: 2000";
    const waiting = { name: 'build', image: 'kaniko', imageID: '', ready: false, restartCount: 0 };
    const rejected = pod('Failed', {
      reason: 'OutOfcpu',
      message,
      containerStatuses: [{ ...waiting, state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    expect(classifyJob(failed, [rejected])).toEqual({
      state: 'failed',
      reason: 'PodRejected',
      message: `the node refused the build pod (OutOfcpu): ${message}`,
      startedAt: '2026-12-03T10:00:00Z',
      finishedAt: undefined,
    });
    // A pod that ran its build and then failed with a pod-level reason stays what its containers say.
    const ran = pod('Failed', { reason: 'Terminated', containerStatuses: [terminated('build', 2)] });
    expect(classifyJob(failed, [ran])).toMatchObject({ reason: 'BuildFailed' });
  });

  it('reports a failing build step with the last lines of its output', () => {
    const output = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n');
    const p = pod('Failed', {
      initContainerStatuses: [terminated('prepare', 0)],
      containerStatuses: [terminated('build', 2, { message: output })],
    });
    const outcome = classifyJob(job([{ type: 'Failed', reason: 'BackoffLimitExceeded' }]), [p]);
    expect(outcome).toMatchObject({ state: 'failed', reason: 'BuildFailed' });
    const message = (outcome as { message: string }).message;
    expect(message).toMatch(/^build exited with code 2:\n/);
    expect(message).toContain('line 40');
    expect(message).not.toContain('line 20\n');
  });

  it("names the step command's exit status and shows each repeated line once", () => {
    const output = [
      'STEP 2/4: RUN ["/bin/sh","-c","..."]',
      'about to fail',
      'subprocess exited with status 3',
      'subprocess exited with status 3',
      'Error: building at STEP "RUN ...": exit status 3',
      'subprocess exited with status 3',
    ].join('\n');
    const p = pod('Failed', { containerStatuses: [terminated('build', 1, { message: output })] });
    const message = (classifyJob(job([{ type: 'Failed' }]), [p]) as { message: string }).message;
    expect(message.split('\n')).toEqual([
      'build exited with code 1 (its command exited with status 3):',
      'STEP 2/4: RUN ["/bin/sh","-c","..."]',
      'about to fail',
      'subprocess exited with status 3',
      'Error: building at STEP "RUN ...": exit status 3',
    ]);
    // Kaniko's form; and no note when the codes agree or the log names none.
    expect(stepExitStatus('error building image: ... waiting for process to exit: exit status 42')).toBe(42);
    expect(stepExitStatus('no such file')).toBeUndefined();
    const same = pod('Failed', { containerStatuses: [terminated('build', 3, { message: 'exit status 3' })] });
    expect((classifyJob(job([{ type: 'Failed' }]), [same]) as { message: string }).message).toBe(
      'build exited with code 3:\nexit status 3',
    );
  });

  it('names an image that cannot be pulled and a missing Secret while the pod waits', () => {
    const pull = pod('Pending', {
      containerStatuses: [
        {
          name: 'build',
          image: 'nope/kaniko',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'not found' } },
        },
      ],
    });
    expect(classifyJob(job(), [pull])).toMatchObject({ state: 'pending', reason: 'ImageNotFound' });
    const secret = pod('Pending', {
      initContainerStatuses: [
        {
          name: 'prepare',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "regcred" not found' } },
        },
      ],
    });
    expect(classifyJob(job(), [secret])).toMatchObject({ reason: 'SecretNotFound' });
  });

  it('reports a pod the API server refused to create (quota, admission) from the Job events', () => {
    const outcome = classifyJob(
      job(),
      [],
      [{ reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota: q, requested: pods=1' }],
    );
    expect(outcome).toMatchObject({ state: 'pending', reason: 'PodRejected' });
    expect((outcome as { message: string }).message).toContain('exceeded quota');
  });

  it('is running while a pod runs and pending before', () => {
    expect(classifyJob(job(), [pod('Running')]).state).toBe('running');
    expect(classifyJob(job(), []).state).toBe('pending');
  });
});

describe('stage times from the Job and its pod', () => {
  const created = { name: 'j', creationTimestamp: '2026-12-03T09:59:58Z' as unknown as Date };
  const done = pod('Succeeded', {
    containerStatuses: [
      terminated('build', 0, { message: DIGEST, finishedAt: '2026-12-03T10:00:05Z' as unknown as Date }),
    ],
  });

  it('a stage starts when its Job was made, whatever the Job controller says later', () => {
    expect(classifyJob({ ...job(), metadata: created }, [])).toMatchObject({
      startedAt: '2026-12-03T09:59:58Z',
    });
  });

  it('a finished stage ends when its build container did, not when the Job controller marks the Job', () => {
    const complete = {
      ...job([{ type: 'Complete' }]),
      metadata: created,
    };
    complete.status!.completionTime = '2026-12-03T10:00:21Z' as unknown as Date;
    expect(classifyJob(complete, [done])).toMatchObject({ finishedAt: '2026-12-03T10:00:05Z' });
    // SuccessCriteriaMet comes before completionTime: the time does not go missing in between.
    expect(
      classifyJob({ ...job([{ type: 'SuccessCriteriaMet' }]), metadata: created }, [done]),
    ).toMatchObject({
      state: 'succeeded',
      finishedAt: '2026-12-03T10:00:05Z',
    });
  });
});

describe('podSummary and jobSummary', () => {
  it('change only with what classifyJob reads', () => {
    const init = (state: Record<string, unknown>) =>
      pod('Pending', { initContainerStatuses: [{ ...terminated('prepare', 0), state }] });
    expect(podSummary(init({ running: {} }))).toBe(podSummary(init({ terminated: { exitCode: 0 } })));
    const pulling = pod('Pending', {
      containerStatuses: [{ ...terminated('build', 0), state: { waiting: { reason: 'ImagePullBackOff' } } }],
    });
    expect(podSummary(pulling)).not.toBe(podSummary(pod('Pending')));
    expect(podSummary(pod('Running'))).not.toBe(podSummary(pod('Pending')));
    const done = pod('Succeeded', { containerStatuses: [terminated('build', 0, { message: DIGEST })] });
    expect(podSummary(done)).not.toBe(podSummary(pod('Succeeded')));

    const counted = { ...job(), status: { ...job().status, active: 1, ready: 1 } };
    expect(jobSummary(counted)).toBe(jobSummary(job()));
    expect(jobSummary(job([{ type: 'Complete' }]))).not.toBe(jobSummary(job()));
  });
});
