// The test kubelet's record of a pod and the pure function that turns it into
// the JSON of `pods/status`. Times are RFC 3339 strings with seconds, as the API
// server stores them.

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        message?: string;
        startedAt?: string;
        finishedAt: string;
      };
    };

export interface ContainerRecord {
  name: string;
  image: string;
  restartCount: number;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface ConditionRecord {
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  since: string;
}

export interface PodRecord {
  phase: PodPhase;
  reason?: string;
  message?: string;
  startTime?: string;
  initContainers: ContainerRecord[];
  containers: ContainerRecord[];
  conditions: Map<string, ConditionRecord>;
}

export function apiTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sets a condition, keeping its transition time unless its status changes. */
export function setCondition(
  pod: PodRecord,
  type: string,
  status: 'True' | 'False',
  reason?: string,
  message?: string,
): void {
  const previous = pod.conditions.get(type);
  const since = previous && previous.status === status ? previous.since : apiTime();
  pod.conditions.set(type, { status, reason, message, since });
}

const CONDITION_ORDER = [
  'DisruptionTarget',
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
];

/** The complete status to send (a merge patch replaces lists, so they are always sent whole). */
export function podStatusJson(pod: PodRecord): Record<string, unknown> {
  const conditions = [...pod.conditions.entries()]
    .sort(([a], [b]) => CONDITION_ORDER.indexOf(a) - CONDITION_ORDER.indexOf(b))
    .map(([type, c]) => ({
      type,
      status: c.status,
      lastProbeTime: null,
      lastTransitionTime: c.since,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    }));
  return {
    phase: pod.phase,
    reason: pod.reason ?? null,
    message: pod.message ?? null,
    conditions,
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    qosClass: 'BestEffort',
    ...(pod.startTime ? { startTime: pod.startTime } : {}),
    initContainerStatuses: pod.initContainers.map(containerStatusJson),
    containerStatuses: pod.containers.map(containerStatusJson),
  };
}

function containerStatusJson(c: ContainerRecord): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image,
    imageID: '',
    restartCount: c.restartCount,
    ready: c.ready,
    started: 'running' in c.state,
    state: c.state,
    ...(c.lastState ? { lastState: c.lastState } : {}),
  };
}

/** Phase of a pod whose containers all stopped for good: Succeeded only if every one exited 0. */
export function finalPhase(containers: ContainerRecord[]): PodPhase {
  const ok = containers.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0);
  return ok ? 'Succeeded' : 'Failed';
}

export function isTerminal(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Whether a container that exited with `exitCode` is started again under the pod's restartPolicy. */
export function shouldRestart(restartPolicy: string | undefined, exitCode: number): boolean {
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** Kubernetes' message limit for a termination message (4096 bytes). */
export function terminationMessage(
  fileContent: string,
  logTail: string,
  policy: string | undefined,
  exitCode: number,
) {
  const text = fileContent || (policy === 'FallbackToLogsOnError' && exitCode !== 0 ? logTail : '');
  return Buffer.from(text).subarray(0, 4096).toString('utf8');
}
