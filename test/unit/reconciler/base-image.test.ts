// The base image check before a `from` stage's Job: only a definite
// "absent" stops the stage; a registry that cannot answer leaves it to the build.
import { describe, expect, it } from 'vitest';
import type { PlannedStage } from '../../../src/plan/planner.js';
import { missingBaseImage } from '../../../src/reconciler/base-image.js';

const stage = (base: NonNullable<PlannedStage['recipe']>['base']): PlannedStage =>
  ({ image: 'app', name: 'from', recipe: { base } }) as PlannedStage;
const external = stage({ kind: 'external', ref: 'registry.local/base:v1' });

describe('missingBaseImage', () => {
  it('names the absent base image and the werf image', async () => {
    const asked: string[] = [];
    const registry = {
      manifestDigest: async (ref: string) => {
        asked.push(ref);
        return undefined;
      },
    };
    expect(await missingBaseImage(external, registry)).toBe(
      'base image registry.local/base:v1 of image "app" (from:) is not in its registry: check its name and tag, or push it',
    );
    expect(asked).toEqual(['registry.local/base:v1']);
  });

  it('lets the build go on when the image exists, the registry fails or does not answer in time', async () => {
    expect(await missingBaseImage(external, { manifestDigest: async () => `sha256:${'a'.repeat(64)}` })).toBe(
      undefined,
    );
    const failing = {
      manifestDigest: async () => {
        throw new Error('401 Unauthorized');
      },
    };
    expect(await missingBaseImage(external, failing)).toBeUndefined();
    const silent = { manifestDigest: () => new Promise<string | undefined>(() => {}) };
    expect(await missingBaseImage(external, silent, 20)).toBeUndefined();
  });

  it('asks nothing for a stage built on another stage or on scratch', async () => {
    const asked: string[] = [];
    const registry = {
      manifestDigest: async (ref: string): Promise<string | undefined> => {
        asked.push(ref);
        return undefined;
      },
    };
    const onStage = stage({ kind: 'stage', image: 'base', stage: 'setup', digest: 'd' });
    expect(await missingBaseImage(onStage, registry)).toBeUndefined();
    expect(await missingBaseImage(stage({ kind: 'scratch' }), registry)).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
