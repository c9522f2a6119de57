import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  exitCodeFault,
  parseFaultRules,
  rejectionMessage,
  resolveFaults,
} from '../../cluster/kubelet/faults.js';

const pod = (annotations: Record<string, string> = {}, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name: 'build-abc', namespace: 'ns', annotations, labels },
});

describe('resolveFaults', () => {
  it('reads pod annotations', () => {
    const faults = resolveFaults(
      pod({
        'test-kubelet.stapel.dev/exit-code': 'build=3,prepare=4',
        'test-kubelet.stapel.dev/oom-kill': 'build',
        'test-kubelet.stapel.dev/evict': 'true',
        'test-kubelet.stapel.dev/start-delay-seconds': '2',
        'test-kubelet.stapel.dev/build-delay-seconds': '5',
        'unrelated/annotation': 'x',
      }),
      [],
    );
    expect(exitCodeFault(faults, 'build')).toBe(3);
    expect(exitCodeFault(faults, 'prepare')).toBe(4);
    expect(exitCodeFault(faults, 'other')).toBeUndefined();
    expect(faults).toMatchObject({ evict: true, startDelaySeconds: 2, buildDelaySeconds: 5 });
    expect([...faults.oomKill]).toEqual(['build']);
  });

  it('applies matching ConfigMap rules, with annotations winning', () => {
    const rules = parseFaultRules({
      byLabel: JSON.stringify({ podLabels: { role: 'build' }, faults: { 'exit-code': '9', evict: 'true' } }),
      byName: JSON.stringify({ podNamePrefix: 'other-', faults: { 'exit-code': '1' } }),
    });
    const faults = resolveFaults(pod({ 'test-kubelet.stapel.dev/exit-code': '2' }, { role: 'build' }), rules);
    expect(exitCodeFault(faults, 'any')).toBe(2);
    expect(faults.evict).toBe(true);
    expect(exitCodeFault(resolveFaults(pod({}, { role: 'web' }), rules), 'any')).toBeUndefined();
  });

  it('reads a kubelet rejection and a digest to report instead of the pushed one', () => {
    const faults = resolveFaults(
      pod({
        'test-kubelet.stapel.dev/reject': 'OutOfcpu',
        'test-kubelet.stapel.dev/report-digest': ` sha256:${'0'.repeat(64)} `,
        'test-kubelet.stapel.dev/drop-push': 'true',
      }),
      [],
    );
    expect(faults).toMatchObject({
      reject: 'OutOfcpu',
      reportDigest: `sha256:${'0'.repeat(64)}`,
      dropPush: true,
    });
    expect(resolveFaults(pod(), []).dropPush).toBe(false);
    expect(rejectionMessage('OutOfcpu')).toBe(
      "Pod was rejected: Node didn't have enough resource: cpu (test kubelet fault injection)",
    );
    expect(rejectionMessage('NodeAffinity')).toBe(
      'Pod was rejected: the node refused the pod (NodeAffinity) (test kubelet fault injection)',
    );
  });

  it('names the pod and the fault in errors', () => {
    expect(() => resolveFaults(pod({ 'test-kubelet.stapel.dev/exit-code': 'x' }), [])).toThrow(
      "pod ns/build-abc: fault exit-code: 'x' is not a non-negative integer",
    );
    expect(() => resolveFaults(pod({ 'test-kubelet.stapel.dev/explode': 'now' }), [])).toThrow(
      "unknown fault 'explode'",
    );
    expect(() => parseFaultRules({ bad: '{' })).toThrow('key bad: not JSON');
    expect(() => parseFaultRules({ bad: '{}' })).toThrow('key bad: expected {"faults"');
  });
});
