// The base image check before a `from` stage's Job: only a definite
// "absent" stops the stage; a registry that cannot answer leaves it to the build.
import { describe, expect, it } from 'vitest';
import type { PlannedStage } from '../../../src/plan/planner.js';
import { missingBaseImage } from '../../../src/reconciler/base-image.js';
import { RegistryError } from '../../../src/registry/errors.js';

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

  it('stops the stage when the registry host does not exist, not when DNS only failed for now', async () => {
    // The shape fetch gives: TypeError('fetch failed') caused by getaddrinfo's error, wrapped by the client.
    const dnsFailure = (code: string) => ({
      manifestDigest: async (): Promise<string | undefined> => {
        const lookup = Object.assign(new Error(`getaddrinfo ${code} nosuch.invalid`), { code });
        const fetchError = new TypeError('fetch failed', { cause: lookup });
        throw new RegistryError(
          'network',
          { registry: 'nosuch.invalid', repository: 'x/y', reference: '1' },
          `GET failed: ${code}`,
          undefined,
          { cause: fetchError },
        );
      },
    });
    const noHost = stage({ kind: 'external', ref: 'nosuch.invalid/x/y:1' });
    expect(await missingBaseImage(noHost, dnsFailure('ENOTFOUND'))).toBe(
      'base image nosuch.invalid/x/y:1 of image "app" (from:): its registry host does not exist (DNS: no such host): check the image name',
    );
    expect(await missingBaseImage(noHost, dnsFailure('EAI_AGAIN'))).toBeUndefined();
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
