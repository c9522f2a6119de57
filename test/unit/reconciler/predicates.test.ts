import type * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildEventMatters, jobEventMatters, podEventMatters } from '../../../src/reconciler/predicates.js';
import type { KubeObject } from '../../../src/runtime/kube.js';

const build = (generation: number, status: unknown = {}, deletionTimestamp?: string): KubeObject =>
  ({ metadata: { name: 'b', namespace: 'ns', generation, deletionTimestamp }, status }) as KubeObject;

const pod = (phase: string, extra: Partial<k8s.V1PodStatus> = {}): k8s.V1Pod & KubeObject =>
  ({ metadata: { name: 'p', namespace: 'ns' }, status: { phase, ...extra } }) as k8s.V1Pod & KubeObject;

describe('event predicates', () => {
  it('skip ImageBuild updates of status alone, keep spec changes, deletion, adds and deletes', () => {
    expect(buildEventMatters({ type: 'add', obj: build(1) })).toBe(true);
    expect(buildEventMatters({ type: 'update', obj: build(1, { a: 2 }), old: build(1, { a: 1 }) })).toBe(
      false,
    );
    expect(buildEventMatters({ type: 'update', obj: build(2), old: build(1) })).toBe(true);
    expect(
      buildEventMatters({ type: 'update', obj: build(1, {}, '2026-12-03T10:00:00Z'), old: build(1) }),
    ).toBe(true);
    expect(buildEventMatters({ type: 'delete', obj: build(1), old: build(1) })).toBe(true);
  });

  it('keep ImageBuild updates of annotations alone: a user asks for a pass now (requestedAt)', () => {
    const annotated = (value: string): KubeObject =>
      ({
        metadata: { name: 'b', namespace: 'ns', generation: 1, annotations: { 'x/requestedAt': value } },
        status: {},
      }) as KubeObject;
    expect(buildEventMatters({ type: 'update', obj: annotated('2'), old: annotated('1') })).toBe(true);
    expect(buildEventMatters({ type: 'update', obj: annotated('1'), old: build(1) })).toBe(true);
    expect(buildEventMatters({ type: 'update', obj: annotated('1'), old: annotated('1') })).toBe(false);
  });

  it('skip pod updates that change nothing the reconciler reads', () => {
    const running = pod('Running', {
      containerStatuses: [
        { name: 'build', image: 'k', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
      ],
    });
    const ready = {
      ...running,
      status: { ...running.status, conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(podEventMatters({ type: 'update', obj: ready, old: running })).toBe(false);
    expect(podEventMatters({ type: 'update', obj: pod('Succeeded'), old: running })).toBe(true);
    const pulling = pod('Pending', {
      containerStatuses: [
        {
          name: 'build',
          image: 'k',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff' } },
        },
      ],
    });
    expect(podEventMatters({ type: 'update', obj: pulling, old: pod('Pending') })).toBe(true);
    expect(podEventMatters({ type: 'add', obj: pod('Pending') })).toBe(true);
  });
});

describe('job predicate', () => {
  const job = (status: k8s.V1JobStatus): k8s.V1Job & KubeObject =>
    ({ metadata: { name: 'j', namespace: 'ns' }, status }) as k8s.V1Job & KubeObject;

  it('skips the Job controller counters, keeps condition changes, adds and deletes', () => {
    const started = job({ startTime: '2026-12-03T10:00:00Z' as unknown as Date, active: 1 });
    expect(jobEventMatters({ type: 'update', obj: started, old: job({}) })).toBe(false);
    const complete = job({ conditions: [{ type: 'Complete', status: 'True' }] });
    expect(jobEventMatters({ type: 'update', obj: complete, old: started })).toBe(true);
    expect(jobEventMatters({ type: 'add', obj: started })).toBe(true);
    expect(jobEventMatters({ type: 'delete', obj: started, old: started })).toBe(true);
  });
});
