import type { V1Pod } from '@kubernetes/client-node';

/**
 * Failure injection for tests. Two ways to ask for a fault:
 * - pod annotations (when the test writes the pod or Job template itself):
 *     test-kubelet.stapel.dev/exit-code: "3"            every container exits 3 without running
 *     test-kubelet.stapel.dev/exit-code: "build=3"      only container `build`
 *     test-kubelet.stapel.dev/oom-kill: "build"         that container is killed as OOMKilled (137)
 *     test-kubelet.stapel.dev/evict: "true"             the pod is evicted once its containers run
 *     test-kubelet.stapel.dev/start-delay-seconds: "5"  the pod waits before its first container
 *     test-kubelet.stapel.dev/build-delay-seconds: "5"  a Kaniko build sleeps before building
 *     test-kubelet.stapel.dev/reject: "OutOfcpu"        the kubelet refuses the pod (admission): it fails
 *         at once with that reason and "Pod was rejected: ...", no container runs
 *     test-kubelet.stapel.dev/report-digest: "sha256:…" a Kaniko build pushes as usual but writes this
 *         digest to its --digest-file (a builder reporting what it did not push)
 *     test-kubelet.stapel.dev/drop-push: "true"        a Kaniko build pushes elsewhere (a lost push): its
 *         destinations stay absent, yet it reports the digest of what it built
 *     test-kubelet.stapel.dev/prebuilt-image: "<ref>"   no container runs: the operator's containers
 *         succeed at once, and a Kaniko container pushes the manifest of <ref> (an image in a
 *         loopback registry) to its destinations and reports its digest (operator benchmarks)
 * - a ConfigMap `test-kubelet-faults` in the pod's namespace (when another
 *   program, such as the operator, makes the pods): each data entry is a JSON
 *   rule `{"podLabels": {...}, "podNamePrefix": "...", "faults": {<annotation
 *   suffix>: "<value>", ...}}`; every rule that matches adds its faults
 *   (pod annotations win over rules).
 */
export const FAULT_ANNOTATION_PREFIX = 'test-kubelet.stapel.dev/';
export const FAULTS_CONFIGMAP = 'test-kubelet-faults';

export interface PodFaults {
  /** container name (or '*' for all) -> exit code */
  exitCodes: Map<string, number>;
  oomKill: Set<string>;
  evict: boolean;
  startDelaySeconds: number;
  buildDelaySeconds: number;
  /** The kubelet's admission refuses the pod with this reason (OutOfcpu, NodeAffinity, ...). */
  reject?: string;
  /** What a Kaniko build writes to its --digest-file instead of the pushed digest. */
  reportDigest?: string;
  /** A Kaniko build's push never reaches its destinations. */
  dropPush: boolean;
  /** Finish every container at once; Kaniko "pushes" this image (see above). */
  prebuiltImage?: string;
}

export interface FaultRule {
  podLabels?: Record<string, string>;
  podNamePrefix?: string;
  faults: Record<string, string>;
}

/** Parses the ConfigMap's entries; a malformed entry is an error naming its key. */
export function parseFaultRules(data: Record<string, string> | undefined): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const [key, text] of Object.entries(data ?? {})) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new Error(`ConfigMap ${FAULTS_CONFIGMAP}, key ${key}: not JSON (${(err as Error).message})`);
    }
    const rule = value as FaultRule;
    if (!rule || typeof rule !== 'object' || !rule.faults || typeof rule.faults !== 'object') {
      throw new Error(
        `ConfigMap ${FAULTS_CONFIGMAP}, key ${key}: expected {"faults": {...}} with optional podLabels/podNamePrefix`,
      );
    }
    rules.push(rule);
  }
  return rules;
}

function ruleMatches(rule: FaultRule, pod: V1Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  if (rule.podNamePrefix && !(pod.metadata?.name ?? '').startsWith(rule.podNamePrefix)) return false;
  return Object.entries(rule.podLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** The faults that apply to a pod: matching rules first, then its own annotations on top. */
export function resolveFaults(pod: V1Pod, rules: FaultRule[]): PodFaults {
  const settings: Record<string, string> = {};
  for (const rule of rules) if (ruleMatches(rule, pod)) Object.assign(settings, rule.faults);
  for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {})) {
    if (key.startsWith(FAULT_ANNOTATION_PREFIX)) settings[key.slice(FAULT_ANNOTATION_PREFIX.length)] = value;
  }
  const faults: PodFaults = {
    exitCodes: new Map(),
    oomKill: new Set(),
    evict: false,
    dropPush: false,
    startDelaySeconds: 0,
    buildDelaySeconds: 0,
  };
  const where = `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (const [key, value] of Object.entries(settings)) {
    switch (key) {
      case 'exit-code':
        for (const part of value.split(',')) {
          const [container, code] = part.includes('=') ? part.split('=', 2) : ['*', part];
          faults.exitCodes.set(container!.trim(), integer(code!, `${where}: fault exit-code`));
        }
        break;
      case 'oom-kill':
        for (const name of value.split(',')) faults.oomKill.add(name.trim());
        break;
      case 'evict':
        faults.evict = value === 'true';
        break;
      case 'start-delay-seconds':
        faults.startDelaySeconds = integer(value, `${where}: fault start-delay-seconds`);
        break;
      case 'build-delay-seconds':
        faults.buildDelaySeconds = integer(value, `${where}: fault build-delay-seconds`);
        break;
      case 'reject':
        faults.reject = value.trim();
        break;
      case 'report-digest':
        faults.reportDigest = value.trim();
        break;
      case 'drop-push':
        faults.dropPush = value === 'true';
        break;
      case 'prebuilt-image':
        faults.prebuiltImage = value.trim();
        break;
      default:
        throw new Error(
          `${where}: unknown fault '${key}' (known: exit-code, oom-kill, evict, reject, start-delay-seconds, build-delay-seconds, report-digest, drop-push, prebuilt-image)`,
        );
    }
  }
  return faults;
}

function integer(text: string, what: string): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: '${text}' is not a non-negative integer`);
  return n;
}

export function exitCodeFault(faults: PodFaults, container: string): number | undefined {
  return faults.exitCodes.get(container) ?? faults.exitCodes.get('*');
}

/** The status message a kubelet writes for a pod it refuses (kubelet's rejectPod: "Pod was rejected: ..."). */
export function rejectionMessage(reason: string): string {
  const resource = /^OutOf(.+)$/.exec(reason)?.[1];
  const why = resource
    ? `Node didn't have enough resource: ${resource}`
    : `the node refused the pod (${reason})`;
  return `Pod was rejected: ${why} (test kubelet fault injection)`;
}
