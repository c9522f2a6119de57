import { describe, expect, it } from 'vitest';
import type { PlannedStage } from '../../../src/plan/planner.js';
import { buildConditions } from '../../../src/reconciler/conditions.js';
import { decidePass, type ObservedJob, type PassInput } from '../../../src/reconciler/decide.js';
import { plan, stage } from './fixtures.js';

const jobName = (s: PlannedStage) => `job-${s.digest}`;
const input = (over: Partial<PassInput>): PassInput => ({
  plan: plan([]),
  repository: 'r.example.com/shop',
  jobs: [],
  expectedJobName: jobName,
  parallelism: 2,
  suspend: false,
  cancel: false,
  digestProblems: new Map(),
  createProblems: new Map(),
  previous: [],
  now: '2026-12-03T10:00:00Z',
  ...over,
});
const running = (digest: string, name = `job-${digest}`): ObservedJob => ({
  name,
  digest,
  outcome: { state: 'running' },
  finished: false,
});

describe('decidePass', () => {
  it('is Ready with every stage from the cache, creating no Job', () => {
    const d = decidePass(
      input({
        plan: plan([{ name: 'a', stages: [stage('a', 'from', 'stored'), stage('a', 'install', 'stored')] }]),
      }),
    );
    expect(d.create).toEqual([]);
    expect(d.outcome.kind).toBe('ready');
    expect(d.images[0]?.stages.map((s) => s.source)).toEqual(['cache', 'cache']);
    expect(d.images[0]?.ref).toBe(`r.example.com/shop@sha256:${'a'.repeat(64)}`);
    expect(d.imagesReady).toBe('1/1');
  });

  it('creates Jobs for buildable stages up to parallelism, counting running ones', () => {
    const p = plan([
      { name: 'a', stages: [stage('a', 'install', 'buildable')] },
      { name: 'b', stages: [stage('b', 'install', 'buildable')] },
      { name: 'c', stages: [stage('c', 'install', 'buildable')] },
    ]);
    expect(decidePass(input({ plan: p })).create.map((s) => s.image)).toEqual(['a', 'b']);
    const d = decidePass(input({ plan: p, jobs: [running('a-install-digest')] }));
    expect(d.create.map((s) => s.image)).toEqual(['b']);
    expect(d.images[2]?.stages[0]?.message).toMatch(/free build slot/);
    expect(d.outcome).toMatchObject({ kind: 'progressing', reason: 'Building' });
  });

  it('starts nothing while suspended and deletes running Jobs on cancel', () => {
    const p = plan([
      { name: 'a', stages: [stage('a', 'install', 'buildable'), stage('a', 'setup', 'waiting')] },
    ]);
    const suspended = decidePass(input({ plan: p, suspend: true }));
    expect(suspended.create).toEqual([]);
    expect(suspended.outcome.kind).toBe('suspended');
    const canceled = decidePass(input({ plan: p, cancel: true, jobs: [running('a-install-digest')] }));
    expect(canceled.delete).toEqual(['job-a-install-digest']);
    expect(canceled.outcome).toMatchObject({ kind: 'stalled', reason: 'Canceled' });
  });

  it('deletes Jobs of stages the spec no longer wants, and keeps the wanted ones running', () => {
    const p = plan([{ name: 'a', stages: [stage('a', 'install', 'buildable', 'new')] }]);
    const d = decidePass(input({ plan: p, jobs: [running('old'), running('new')] }));
    expect(d.delete).toEqual(['job-old']);
    expect(d.create).toEqual([]);
  });

  it('replaces a running Job whose expected name changed (new builder settings)', () => {
    const p = plan([{ name: 'a', stages: [stage('a', 'install', 'buildable', 'd1')] }]);
    const d = decidePass(input({ plan: p, jobs: [running('d1', 'job-d1-oldtemplate')] }));
    expect(d.delete).toEqual(['job-d1-oldtemplate']);
    expect(d.create.map((s) => s.digest)).toEqual(['d1']);
  });

  it('stalls on a failed stage with its reason, and starts no further Jobs', () => {
    const p = plan([
      { name: 'a', stages: [stage('a', 'install', 'buildable', 'd1')] },
      { name: 'b', stages: [stage('b', 'install', 'buildable', 'd2')] },
    ]);
    const failed: ObservedJob = {
      name: 'job-d1',
      digest: 'd1',
      finished: true,
      outcome: {
        state: 'failed',
        reason: 'OOMKilled',
        message: 'container build ran out of memory (OOMKilled)',
      },
    };
    const d = decidePass(input({ plan: p, jobs: [failed] }));
    expect(d.create).toEqual([]);
    expect(d.outcome).toMatchObject({ kind: 'stalled', reason: 'OOMKilled' });
    expect(d.outcome.kind === 'stalled' && d.outcome.message).toMatch(/^a\/install: container build ran out/);
    expect(d.images[0]?.stages[0]).toMatchObject({ phase: 'Failed', reason: 'OOMKilled', job: 'job-d1' });
  });

  it('keeps source built for a stage this build pushed', () => {
    const p = plan([{ name: 'a', stages: [stage('a', 'install', 'stored', 'd1')] }]);
    const done: ObservedJob = {
      name: 'job-d1',
      digest: 'd1',
      finished: true,
      outcome: { state: 'succeeded', digest: 'sha256:x', startedAt: 't0', finishedAt: 't1' },
    };
    const d = decidePass(input({ plan: p, jobs: [done] }));
    expect(d.images[0]?.stages[0]).toMatchObject({
      source: 'built',
      job: 'job-d1',
      startedAt: 't0',
      finishedAt: 't1',
    });
  });

  it('calls a stage built when its image shows up while the Job of this build still runs', () => {
    const p = plan([{ name: 'a', stages: [stage('a', 'install', 'stored', 'd1')] }]);
    const d = decidePass(input({ plan: p, jobs: [running('d1')] }));
    expect(d.images[0]?.stages[0]).toMatchObject({ phase: 'Succeeded', source: 'built', job: 'job-d1' });
    const failed: ObservedJob = {
      name: 'job-d1',
      digest: 'd1',
      finished: true,
      outcome: { state: 'failed', reason: 'BuildFailed', message: 'x' },
    };
    // Pushed by someone else after this build's attempt failed: from the cache.
    expect(decidePass(input({ plan: p, jobs: [failed] })).images[0]?.stages[0]?.source).toBe('cache');
  });

  describe('an import whose add path the source image lacks (needProblems)', () => {
    const missing = {
      reason: 'ImportNotFound',
      message: 'import source r@sha256:1: add path /no not found in the image',
    };
    const importing = (): PlannedStage =>
      ({
        ...stage('b', 'dependenciesAfterInstall', 'waiting'),
        blockedBy: [],
        waitsFor: [
          {
            kind: 'importChecksum',
            key: 'k1',
            source: { kind: 'stage', image: 'a', stage: 'setup', digest: 'a-setup-digest' },
            add: '/no',
            includePaths: [],
            excludePaths: [],
          },
        ],
      }) as unknown as PlannedStage;
    const needProblems = new Map([['k1', missing]]);

    it('fails the importing stage once the stages before it are built', () => {
      const p = plan([
        { name: 'b', stages: [stage('b', 'from', 'stored'), stage('b', 'install', 'stored'), importing()] },
      ]);
      const d = decidePass(input({ plan: p, needProblems }));
      expect(d.images[0]?.stages[2]).toMatchObject({ phase: 'Failed', ...missing });
      expect(d.outcome).toMatchObject({ kind: 'stalled', reason: 'ImportNotFound' });
      expect(d.outcome.kind === 'stalled' && d.outcome.message).toMatch(
        /^b\/dependenciesAfterInstall: import source/,
      );
    });

    it('is not the build failure while an earlier stage of the image still builds: that stage decides, as in werf', () => {
      const p = plan([
        {
          name: 'b',
          stages: [stage('b', 'from', 'stored'), stage('b', 'install', 'buildable', 'd1'), importing()],
        },
      ]);
      const still = decidePass(input({ plan: p, needProblems, jobs: [running('d1')] }));
      expect(still.outcome.kind).not.toBe('stalled');
      expect(still.images[0]?.stages[2]?.phase).toBe('Waiting');
      const failed: ObservedJob = {
        name: 'job-d1',
        digest: 'd1',
        finished: true,
        outcome: { state: 'failed', reason: 'BuildFailed', message: 'apk: not found' },
      };
      const d = decidePass(input({ plan: p, needProblems, jobs: [failed] }));
      expect(d.outcome).toMatchObject({ kind: 'stalled', reason: 'BuildFailed' });
      expect(d.images[0]?.stages[2]?.phase).toBe('Waiting');
    });
  });

  it('explains what a waiting stage waits for', () => {
    const d = decidePass(input({ plan: plan([{ name: 'a', stages: [stage('a', 'setup', 'waiting')] }]) }));
    expect(d.images[0]?.stages[0]).toMatchObject({ phase: 'Waiting', message: 'waiting for a/install' });
  });
});

describe('buildConditions', () => {
  it('sets kstatus conditions with observedGeneration and keeps transition times while status holds', () => {
    const first = buildConditions({
      outcome: { kind: 'progressing', reason: 'Building', message: '1 of 3' },
      configValid: { ok: true },
      generation: 3,
      now: 't1',
      previous: [],
    });
    expect(first.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=False',
      'Reconciling=True',
      'Stalled=False',
      'ConfigValid=True',
    ]);
    expect(first.every((c) => c.observedGeneration === 3)).toBe(true);
    const second = buildConditions({
      outcome: { kind: 'stalled', reason: 'BuildFailed', message: 'x' },
      configValid: { ok: true },
      generation: 3,
      now: 't2',
      previous: first,
    });
    const byType = Object.fromEntries(second.map((c) => [c.type, c]));
    expect(byType.Ready).toMatchObject({ status: 'False', reason: 'BuildFailed', lastTransitionTime: 't1' });
    expect(byType.Stalled).toMatchObject({ status: 'True', lastTransitionTime: 't2' });
    expect(byType.ConfigValid?.lastTransitionTime).toBe('t1');
  });
});

describe('decidePass: stage times are written once', () => {
  const p = plan([{ name: 'a', stages: [stage('a', 'install', 'stored', 'd1')] }]);
  const succeeded = (finishedAt?: string): ObservedJob => ({
    name: 'job-d1',
    digest: 'd1',
    finished: true,
    outcome: {
      state: 'succeeded',
      digest: 'sha256:x',
      startedAt: 't0',
      ...(finishedAt ? { finishedAt } : {}),
    },
  });

  it('a stage seen in the registry while its Job runs finishes at that pass, and keeps that time', () => {
    const first = decidePass(input({ plan: p, jobs: [running('d1')], now: '2026-12-03T10:00:07Z' }));
    const s = first.images[0]!.stages[0]!;
    expect(s).toMatchObject({ phase: 'Succeeded', source: 'built', finishedAt: '2026-12-03T10:00:07Z' });
    // The pod's report, then the Job's completion: the time written first stays.
    for (const job of [succeeded('2026-12-03T10:00:06Z'), succeeded('2026-12-03T10:00:20Z')]) {
      const next = decidePass(input({ plan: p, jobs: [job], previous: first.images }));
      expect(next.images[0]!.stages[0]!.finishedAt).toBe('2026-12-03T10:00:07Z');
    }
  });

  it('a stage whose pod reported first takes the pod time', () => {
    const d = decidePass(input({ plan: p, jobs: [succeeded('2026-12-03T10:00:06Z')] }));
    expect(d.images[0]!.stages[0]).toMatchObject({ startedAt: 't0', finishedAt: '2026-12-03T10:00:06Z' });
  });

  it('an unfinished stage has no finish time, and a stage of another Job does not inherit one', () => {
    const waiting = plan([{ name: 'a', stages: [stage('a', 'install', 'buildable', 'd1')] }]);
    const d = decidePass(input({ plan: waiting, jobs: [running('d1')] }));
    expect(d.images[0]!.stages[0]).toMatchObject({ phase: 'Running' });
    expect(d.images[0]!.stages[0]!.finishedAt).toBeUndefined();
    const previous = [
      {
        name: 'a',
        stages: [
          { name: 'install', digest: 'd1', phase: 'Succeeded' as const, job: 'old', finishedAt: 'old' },
        ],
      },
    ];
    const other = decidePass(input({ plan: p, jobs: [succeeded('2026-12-03T10:00:06Z')], previous }));
    expect(other.images[0]!.stages[0]!.finishedAt).toBe('2026-12-03T10:00:06Z');
  });
});

describe('a stage another ImageBuild is building', () => {
  it('waits for that Job instead of making its own, and says whose it is', () => {
    const p = plan([
      { name: 'a', stages: [stage('a', 'install', 'buildable')] },
      { name: 'b', stages: [stage('b', 'install', 'buildable')] },
    ]);
    const d = decidePass(
      input({ plan: p, elsewhere: new Map([['a-install-digest', { job: 'other-a1', build: 'other' }]]) }),
    );
    expect(d.create.map((s) => s.image)).toEqual(['b']);
    expect(d.images[0]?.stages[0]).toMatchObject({
      phase: 'Pending',
      message: 'being built by ImageBuild other (Job other-a1); its image will serve this build too',
    });
    expect(d.waitsForJobs).toEqual(['other-a1']);
    expect(d.outcome.kind).toBe('progressing');
  });

  it('counts a stored stage as stored and its own Job as its own, whoever else builds it', () => {
    const p = plan([
      { name: 'a', stages: [stage('a', 'from', 'stored'), stage('a', 'install', 'buildable')] },
    ]);
    const elsewhere = new Map([
      ['a-from-digest', { job: 'x', build: 'other' }],
      ['a-install-digest', { job: 'y', build: 'other' }],
    ]);
    const d = decidePass(input({ plan: p, elsewhere, jobs: [running('a-install-digest')] }));
    expect(d.images[0]?.stages.map((s) => s.phase)).toEqual(['Succeeded', 'Running']);
    expect(d.waitsForJobs).toEqual([]);
  });
});
