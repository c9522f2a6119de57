import { describe, expect, it } from 'vitest';
import {
  type BuildObject,
  finalImages,
  finalTable,
  outcomeOf,
  progressLines,
  stageCounts,
  stageDuration,
} from '../../../scripts/demo/view.js';
import type { Condition, StageStatus } from '../../../src/api/imagebuild.js';

const cond = (type: string, status: 'True' | 'False', reason: string, observedGeneration = 1): Condition => ({
  type,
  status,
  reason,
  message: `${type} is ${status}`,
  observedGeneration,
  lastTransitionTime: '2026-12-03T17:00:00Z',
});

function build(stages: StageStatus[], conditions: Condition[] = [], observedGeneration = 1): BuildObject {
  return {
    metadata: { name: 'shop', generation: 1 },
    status: { observedGeneration, conditions, images: [{ name: 'site', stages }] },
  };
}

describe('outcomeOf', () => {
  it('is ready only when Ready=True was observed for the current generation', () => {
    expect(outcomeOf(build([], [cond('Ready', 'True', 'Succeeded')]))).toEqual({ state: 'ready' });
    expect(outcomeOf(build([], [cond('Ready', 'True', 'Succeeded', 0)]))).toEqual({ state: 'running' });
    expect(outcomeOf(build([], [cond('Ready', 'True', 'Succeeded')], 0))).toEqual({ state: 'running' });
  });

  it('is failed when Stalled=True, with its reason', () => {
    const b = build([], [cond('Ready', 'False', 'BuildFailed'), cond('Stalled', 'True', 'BuildFailed')]);
    expect(outcomeOf(b)).toEqual({ state: 'failed', reason: 'BuildFailed', message: 'Stalled is True' });
  });

  it('is running without conditions', () => {
    expect(outcomeOf({ metadata: { name: 'x', generation: 1 } })).toEqual({ state: 'running' });
  });
});

describe('progressLines', () => {
  it('reports each stage change once, and Ready changes', () => {
    const seen = new Map<string, string>();
    const first = build([{ name: 'from', phase: 'Running', job: 'shop-abc' }]);
    expect(progressLines([first], seen)).toEqual(['shop site/from: Running (shop-abc)']);
    expect(progressLines([first], seen)).toEqual([]);
    const done = build(
      [{ name: 'from', phase: 'Succeeded', source: 'built' }],
      [cond('Ready', 'True', 'Succeeded')],
    );
    expect(progressLines([done], seen)).toEqual([
      'shop site/from: Succeeded (built)',
      'shop: Ready=True Succeeded - Ready is True',
    ]);
  });

  it('shows the first line of a failed stage message', () => {
    const failed = build([
      { name: 'install', phase: 'Failed', reason: 'BuildFailed', message: 'step 2 failed\nmore' },
    ]);
    expect(progressLines([failed], new Map())).toEqual([
      'shop site/install: Failed (BuildFailed): step 2 failed',
    ]);
  });
});

describe('the final table', () => {
  const stages: StageStatus[] = [
    {
      name: 'from',
      phase: 'Succeeded',
      source: 'cache',
      digest: 'aaa',
      imageDigest: 'sha256:1',
    },
    {
      name: 'install',
      phase: 'Succeeded',
      source: 'built',
      digest: 'bbbb',
      imageDigest: 'sha256:2',
      startedAt: '2026-12-03T17:00:00Z',
      finishedAt: '2026-12-03T17:00:12.5Z',
    },
  ];

  it('has one aligned row per stage with digest, source, image digest and duration', () => {
    expect(finalTable([build(stages)]).split('\n')).toEqual([
      'BUILD  IMAGE  STAGE    DIGEST  SOURCE  IMAGE DIGEST  DURATION',
      'shop   site   from     aaa     cache   sha256:1      -',
      'shop   site   install  bbbb    built   sha256:2      13s',
    ]);
  });

  it('counts built and cached stages', () => {
    expect(stageCounts([build(stages)])).toEqual({ built: 1, cache: 1, other: 0 });
  });

  it('counts a stage several images of one build share once', () => {
    const b = build(stages);
    b.status!.images = [
      { name: 'site', stages },
      { name: 'api', stages: [stages[0]!, { ...stages[1]!, digest: 'cccc' }] },
    ];
    expect(stageCounts([b])).toEqual({ built: 2, cache: 1, other: 0 });
  });

  it('lists final images only, not artifacts', () => {
    const b = build(stages);
    b.status!.images = [
      { name: 'site', final: true, ref: 'r/site@sha256:1', stages },
      { name: 'assets', final: false, ref: 'r/assets@sha256:2', stages },
      { name: 'api', stages },
    ];
    expect(finalImages([b]).split('\n')).toEqual(['shop/site  r/site@sha256:1', 'shop/api   (not built)']);
  });

  it('gives whole seconds, and <1s for a stage faster than a second', () => {
    const at = (finishedAt: string): StageStatus => ({
      name: 'x',
      phase: 'Succeeded',
      startedAt: '2026-12-03T17:00:00Z',
      finishedAt,
    });
    expect(stageDuration(at('2026-12-03T17:00:00.400Z'))).toBe('<1s');
    expect(stageDuration(at('2026-12-03T17:01:04.400Z'))).toBe('64s');
  });

  it('gives no duration for a stage without both times', () => {
    expect(stageDuration({ name: 'x', phase: 'Running', startedAt: '2026-12-03T17:00:00Z' })).toBe('-');
  });
});
