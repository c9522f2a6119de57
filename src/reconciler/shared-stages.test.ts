import type * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../runtime/kube.js';
import { ANNOTATION_DIGEST, ANNOTATION_REPOSITORY } from './labels.js';
import { SharedStageWaits, stagesBuiltElsewhere } from './shared-stages.js';

type Job = k8s.V1Job & KubeObject;

const job = (
  name: string,
  over: {
    owner?: string;
    digest?: string;
    repository?: string;
    namespace?: string;
    complete?: boolean;
    created?: string;
  } = {},
): Job =>
  ({
    metadata: {
      name,
      namespace: over.namespace ?? 'ci',
      creationTimestamp: over.created ?? '2026-12-04T10:00:00Z',
      annotations: {
        [ANNOTATION_DIGEST]: over.digest ?? 'd1',
        [ANNOTATION_REPOSITORY]: over.repository ?? 'r.example/app',
      },
      ownerReferences: [
        {
          apiVersion: 'stapel.dev/v1alpha1',
          kind: 'ImageBuild',
          name: over.owner ?? 'other',
          uid: `uid-${over.owner ?? 'other'}`,
          controller: true,
        },
      ],
    },
    status: over.complete ? { conditions: [{ type: 'Complete', status: 'True' }] } : {},
  }) as unknown as Job;

const me = { namespace: 'ci', uid: 'uid-me', repository: 'r.example/app' };

describe('stagesBuiltElsewhere', () => {
  it("lists other builds' unfinished Jobs pushing to the same repository in the same namespace", () => {
    const found = stagesBuiltElsewhere(
      [
        job('mine', { owner: 'me', digest: 'd0' }),
        job('theirs', { digest: 'd1' }),
        job('done', { digest: 'd2', complete: true }),
        job('other-repo', { digest: 'd3', repository: 'r.example/else' }),
        job('other-ns', { digest: 'd4', namespace: 'prod' }),
      ],
      me,
    );
    expect([...found]).toEqual([['d1', { job: 'theirs', build: 'other' }]]);
  });

  it('names the oldest Job when several build the same stage', () => {
    const found = stagesBuiltElsewhere(
      [job('newer', { owner: 'b', created: '2026-12-04T10:00:05Z' }), job('older', { owner: 'c' })],
      me,
    );
    expect(found.get('d1')).toEqual({ job: 'older', build: 'c' });
  });
});

describe('SharedStageWaits', () => {
  it('maps a Job to the builds waiting for it, each pass replacing what a build waited for', () => {
    const waits = new SharedStageWaits();
    waits.set('ci/a', ['ci/j1', 'ci/j2']);
    waits.set('ci/b', ['ci/j1']);
    expect(waits.waitersOf('ci/j1')).toEqual(['ci/a', 'ci/b']);
    waits.set('ci/a', ['ci/j2']);
    expect(waits.waitersOf('ci/j1')).toEqual(['ci/b']);
    waits.set('ci/b', []);
    expect(waits.waitersOf('ci/j1')).toEqual([]);
    expect(waits.waitersOf('ci/j2')).toEqual(['ci/a']);
  });
});

describe('SharedStageWaits claims', () => {
  const stage = { namespace: 'ci', repository: 'r.example/app', digest: 'd1' };

  it("show another build's claim until its Job is in the cache or the claim is a minute old", () => {
    let now = 0;
    const waits = new SharedStageWaits(() => now);
    waits.claim(stage, { job: 'a-d1', build: 'a', buildKey: 'ci/a' });
    expect([...waits.claimedByOthers('ci', 'r.example/app', 'ci/b')]).toEqual([
      ['d1', { job: 'a-d1', build: 'a' }],
    ]);
    // Not to the claiming build itself, nor in another repository or namespace.
    expect(waits.claimedByOthers('ci', 'r.example/app', 'ci/a').size).toBe(0);
    expect(waits.claimedByOthers('ci', 'r.example/other', 'ci/b').size).toBe(0);
    expect(waits.claimedByOthers('prod', 'r.example/app', 'ci/b').size).toBe(0);
    waits.release('ci/a-d1');
    expect(waits.claimedByOthers('ci', 'r.example/app', 'ci/b').size).toBe(0);
    waits.claim(stage, { job: 'a-d1', build: 'a', buildKey: 'ci/a' });
    now = 60_001;
    expect(waits.claimedByOthers('ci', 'r.example/app', 'ci/b').size).toBe(0);
  });
});
