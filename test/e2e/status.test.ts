import * as k8s from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import type { ImageBuildStatus } from '../../src/api/imagebuild.js';
import { adminClients, adminKubeConfig } from '../cluster/helpers/kube.js';
import { testNamespace } from '../cluster/helpers/namespace.js';
import { waitFor } from '../cluster/lib/wait.js';
import { applyImageBuild } from './support/imagebuild.js';
import { useOperator } from './support/operator.js';

// Every status the operator writes for one build, as a watcher sees them:
// stages only move forward (Waiting -> Pending -> Running -> Succeeded), a
// finished stage keeps its source, Ready never goes back. Build pods finish
// at once (the test kubelet's prebuilt-image fault), which is when the
// operator's view of pods, Jobs and the registry disagree the most.

const env = useOperator();

const RANK: Record<string, number> = { Waiting: 0, Pending: 1, Running: 2, Succeeded: 3 };

function config(base: string): string {
  return `project: status
configVersion: 1
---
image: base
from: ${base}
shell:
  beforeInstall: [echo before-install]
  install: [echo install]
  setup: [echo setup]
docker:
  ENV: {KIND: base}
---
image: app
fromImage: base
shell:
  install: [echo app-install]
  setup: [echo app-setup]
---
image: side
from: ${base}
fromCacheVersion: "side"
shell:
  install: [echo side-install]
  setup: [echo side-setup]
`;
}

/** What went backwards between consecutive status writes (empty: nothing). */
function regressions(writes: ImageBuildStatus[]): string[] {
  const out: string[] = [];
  const phase = new Map<string, string>();
  const source = new Map<string, string>();
  let ready = false;
  writes.forEach((status, i) => {
    for (const image of status.images ?? []) {
      for (const s of image.stages) {
        const id = `${image.name}/${s.name}`;
        const was = phase.get(id);
        if (was !== undefined && (RANK[s.phase] ?? -1) < (RANK[was] ?? -1)) {
          out.push(`write ${i}: ${id} ${was} -> ${s.phase}`);
        }
        phase.set(id, s.phase);
        if (s.phase === 'Succeeded') {
          const src = source.get(id);
          if (src !== undefined && src !== s.source)
            out.push(`write ${i}: ${id} source ${src} -> ${s.source}`);
          source.set(id, s.source ?? '');
        }
      }
    }
    const readyNow = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (ready && !readyNow) out.push(`write ${i}: Ready True -> False`);
    ready ||= readyNow;
  });
  return out;
}

describe('status writes of one build', () => {
  it('never move a stage backwards, never change a finished stage source, never take Ready back', {
    timeout: 300000,
  }, async () => {
    const namespace = await testNamespace('status');
    await adminClients().core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: 'test-kubelet-faults' },
        data: { all: JSON.stringify({ faults: { 'prebuilt-image': inject('busyboxImage') } }) },
      },
    });
    const writes: ImageBuildStatus[] = [];
    const watch = await new k8s.Watch(adminKubeConfig()).watch(
      `/apis/stapel.dev/v1alpha1/namespaces/${namespace}/imagebuilds`,
      {},
      (_type, obj: { status?: ImageBuildStatus }) => {
        if (obj.status) writes.push(structuredClone(obj.status));
      },
      () => {},
    );
    try {
      applyImageBuild(namespace, 'chain', {
        config: config(inject('busyboxImage')),
        registry: { repository: `${inject('registry')}/e2e-status-${namespace}`, insecure: true },
        retries: 0,
      });
      await waitFor(
        async () => writes.at(-1)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        {
          description: 'ImageBuild chain Ready',
          timeoutMs: 240_000,
          intervalMs: 250,
          lastState: () => `${JSON.stringify(writes.at(-1) ?? null)}\n${env.operator.process.logTail(15)}`,
        },
      );
    } finally {
      watch.abort();
    }
    const last = writes.at(-1)!;
    const stages = (last.images ?? []).flatMap((i) => i.stages);
    expect(stages).toHaveLength(11);
    expect(stages.every((s) => s.phase === 'Succeeded' && s.source === 'built')).toBe(true);
    expect(writes.length).toBeGreaterThan(5);
    expect(regressions(writes)).toEqual([]);
  });
});
