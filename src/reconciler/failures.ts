import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { Reason } from '../api/conditions.js';

// What a stage Job and its pods say about the stage, as a pure function.
// Every failure becomes one reason of the taxonomy (k8s-build-anchors.md §7.6,
// werf-pitfalls.md second list): eviction, OOM, storage, deadline, image
// pulls, missing Secrets and rejected pods are told apart, never "failed".

export type JobOutcome =
  | { state: 'pending'; reason?: string; message?: string; startedAt?: string }
  | { state: 'running'; startedAt?: string }
  | { state: 'succeeded'; digest?: string; startedAt?: string; finishedAt?: string }
  | { state: 'failed'; reason: string; message: string; startedAt?: string; finishedAt?: string };

/** A Warning event the Job controller wrote about the Job (FailedCreate carries admission errors). */
export interface JobEvent {
  reason: string;
  message: string;
}

const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MESSAGE_TAIL_LINES = 20;

const iso = (t: unknown): string | undefined =>
  t === undefined || t === null ? undefined : t instanceof Date ? t.toISOString() : String(t);

const condition = (job: V1Job, type: string) =>
  job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/** The last lines of a container's termination message (Kaniko's or buildah's output on failure). */
export function messageTail(text: string, lines = MESSAGE_TAIL_LINES): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n').slice(-3000);
}

/** A Job the Job controller has marked Complete or Failed. */
export function isJobFinished(job: V1Job): boolean {
  return condition(job, 'Complete') !== undefined || condition(job, 'Failed') !== undefined;
}

/** The text without lines that repeat an earlier line (builders print a failing step's error more than once). */
export function withoutRepeatedLines(text: string): string {
  const seen = new Set<string>();
  return text
    .split('\n')
    .filter((line) => {
      const key = line.trim();
      if (key === '') return true;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .join('\n');
}

/**
 * The exit status of the step's command as the builder reports it (Kaniko
 * and buildah both end with `exit status N`); the executor itself exits 1.
 */
export function stepExitStatus(log: string): number | undefined {
  const all = [...log.matchAll(/\bexit(?:ed with)? status (\d+)/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}

/** Digest written by a container that exited 0; anything else is never trusted (Kaniko writes it before pushing). */
export function pushedDigest(pod: V1Pod, container = 'build'): string | undefined {
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  const term = status?.state?.terminated;
  if (!term || term.exitCode !== 0) return undefined;
  const text = (term.message ?? '').trim();
  return DIGEST.test(text) ? text : undefined;
}

/** When the build container of a finished pod stopped. */
export function podFinishedAt(pod: V1Pod, container = 'build'): string | undefined {
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  return iso(status?.state?.terminated?.finishedAt);
}

function allStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** Why one failed (or evicted) pod failed. */
export function classifyFailedPod(pod: V1Pod): { reason: string; message: string } {
  const podReason = pod.status?.reason ?? '';
  const podMessage = pod.status?.message ?? '';
  if (podReason === 'Evicted') {
    return /ephemeral-storage|ephemeral local storage/i.test(podMessage)
      ? { reason: Reason.EphemeralStorageExceeded, message: podMessage }
      : { reason: Reason.Evicted, message: podMessage || 'the build pod was evicted' };
  }
  if (podReason === 'DeadlineExceeded') return { reason: Reason.DeadlineExceeded, message: podMessage };
  // The node refused the pod before any container ran (kubelet admission:
  // OutOfcpu, NodeAffinity, UnexpectedAdmissionError, ...): not a build failure.
  const ran = allStatuses(pod).some((s) => s.state?.terminated || s.lastState?.terminated);
  if (podReason && !ran) {
    return {
      reason: Reason.PodRejected,
      message: `the node refused the build pod (${podReason}): ${podMessage || 'no message'}`,
    };
  }
  for (const status of allStatuses(pod)) {
    const term = status.state?.terminated;
    if (term?.reason === 'OOMKilled') {
      return { reason: Reason.OOMKilled, message: `container ${status.name} ran out of memory (OOMKilled)` };
    }
  }
  for (const status of allStatuses(pod)) {
    const term = status.state?.terminated;
    if (term && term.exitCode !== 0) {
      const tail = messageTail(withoutRepeatedLines(term.message ?? ''));
      const step = stepExitStatus(tail);
      const stepNote =
        step !== undefined && step !== term.exitCode ? ` (its command exited with status ${step})` : '';
      return {
        reason: Reason.BuildFailed,
        message: `${status.name} exited with code ${term.exitCode}${stepNote}${tail ? `:\n${tail}` : ''}`,
      };
    }
  }
  return {
    reason: Reason.BuildFailed,
    message: podMessage || `build pod failed (${podReason || 'no reason'})`,
  };
}

/** Why a pod that has not finished cannot go on (undefined: it is just starting or running). */
export function classifyStuckPod(pod: V1Pod): { reason: string; message: string } | undefined {
  for (const status of allStatuses(pod)) {
    const waiting = status.state?.waiting;
    if (!waiting?.reason) continue;
    if (PULL_FAILURES.has(waiting.reason)) {
      return {
        reason: Reason.ImageNotFound,
        message: `cannot pull image ${status.image} for container ${status.name}: ${waiting.message ?? waiting.reason}`,
      };
    }
    if (waiting.reason === 'CreateContainerConfigError' && /secret/i.test(waiting.message ?? '')) {
      return { reason: Reason.SecretNotFound, message: waiting.message ?? waiting.reason };
    }
  }
  return undefined;
}

const newest = (pods: V1Pod[]) =>
  [...pods].sort((a, b) =>
    String(iso(b.metadata?.creationTimestamp) ?? '').localeCompare(
      String(iso(a.metadata?.creationTimestamp) ?? ''),
    ),
  );

/** The state of one stage Job from the Job, its pods and its Warning events. */
export function classifyJob(job: V1Job, pods: V1Pod[], events: JobEvent[] = []): JobOutcome {
  // The stage started when the operator made its Job: known from the first
  // pass on and never changing (the Job controller's startTime comes seconds
  // later on a busy control plane, and each change would be a status write).
  const startedAt = iso(job.metadata?.creationTimestamp) ?? iso(job.status?.startTime);
  const finishedAt = iso(job.status?.completionTime) ?? iso(condition(job, 'Failed')?.lastTransitionTime);
  if (condition(job, 'Complete') || condition(job, 'SuccessCriteriaMet')) {
    const winner = pods.find((p) => p.status?.phase === 'Succeeded' && pushedDigest(p));
    // The build container's finish is the stage's (the Job's completion follows it by the Job controller's lag).
    const finished = (winner && podFinishedAt(winner)) ?? finishedAt;
    return { state: 'succeeded', digest: winner && pushedDigest(winner), startedAt, finishedAt: finished };
  }
  const failed = condition(job, 'Failed') ?? condition(job, 'FailureTarget');
  if (failed) {
    if (failed.reason === 'DeadlineExceeded') {
      return {
        state: 'failed',
        reason: Reason.DeadlineExceeded,
        message: `the stage did not finish within spec.timeout (${job.spec?.activeDeadlineSeconds}s)`,
        startedAt,
        finishedAt,
      };
    }
    const lastFailed = newest(pods).find((p) => p.status?.phase === 'Failed');
    const why = lastFailed
      ? classifyFailedPod(lastFailed)
      : { reason: Reason.BuildFailed, message: failed.message ?? failed.reason ?? 'the Job failed' };
    return { state: 'failed', ...why, startedAt, finishedAt };
  }
  // A pod that pushed its image is the stage's result before the Job
  // controller marks the Job Complete (seconds on a busy control plane): acting
  // on it at once keeps the next stage from waiting, and the stage's phase from
  // going back to Pending in between. The digest is verified in the registry.
  const done = pods.find((p) => p.status?.phase === 'Succeeded' && pushedDigest(p));
  if (done) {
    return { state: 'succeeded', digest: pushedDigest(done), startedAt, finishedAt: podFinishedAt(done) };
  }
  const live = newest(pods).filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));
  for (const pod of live) {
    const stuck = classifyStuckPod(pod);
    if (stuck) return { state: 'pending', ...stuck, startedAt };
  }
  if (live.some((p) => p.status?.phase === 'Running')) return { state: 'running', startedAt };
  if (live.length === 0) {
    const rejected = events.filter((e) => e.reason === 'FailedCreate').pop();
    if (rejected)
      return { state: 'pending', reason: Reason.PodRejected, message: rejected.message, startedAt };
  }
  return { state: 'pending', startedAt };
}

/**
 * What classifyJob reads of one pod, as a string: two pods states with the
 * same summary give the same stage outcome. Init-container progress, the
 * container's start, IPs and conditions are not in it (the watch predicate
 * skips such updates: a pass for them would change nothing).
 */
export function podSummary(pod: V1Pod): string {
  const phase = pod.status?.phase ?? '';
  const created = iso(pod.metadata?.creationTimestamp) ?? '';
  if (phase === 'Succeeded') return JSON.stringify([phase, created, pushedDigest(pod), podFinishedAt(pod)]);
  if (phase === 'Failed') return JSON.stringify([phase, created, classifyFailedPod(pod)]);
  return JSON.stringify([phase, created, classifyStuckPod(pod) ?? null]);
}

/** What classifyJob and the reconciler read of a Job (conditions, completion, digest, owner), as a string. */
export function jobSummary(job: V1Job): string {
  return JSON.stringify([
    (job.status?.conditions ?? []).map((c) => [
      c.type,
      c.status,
      c.reason,
      c.message,
      iso(c.lastTransitionTime),
    ]),
    iso(job.status?.completionTime),
    job.metadata?.annotations,
    job.metadata?.ownerReferences,
    job.metadata?.deletionTimestamp ? 'deleting' : '',
  ]);
}
