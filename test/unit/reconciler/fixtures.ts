import type { ImageBuild } from '../../../src/api/imagebuild.js';
import type { Plan, PlannedImage, PlannedStage } from '../../../src/plan/planner.js';
import type { PrepareSpec } from '../../../src/plan/prepare-spec.js';

export function imageBuild(spec: Partial<ImageBuild['spec']> = {}): ImageBuild {
  return {
    apiVersion: 'stapel.dev/v1alpha1',
    kind: 'ImageBuild',
    metadata: { name: 'shop', namespace: 'ci', uid: 'uid-1', generation: 2 },
    spec: {
      config: 'project: shop',
      configPath: 'werf.yaml',
      registry: { repository: 'registry.example.com/shop', insecure: false },
      parallelism: 4,
      timeout: '1h',
      retries: 1,
      suspend: false,
      cancel: false,
      ...spec,
    },
  };
}

export function prepareSpec(image: string, stage: string, digest: string): PrepareSpec {
  return {
    apiVersion: 'stapel.dev/prepare/v1',
    image,
    stage,
    digest,
    dockerfile: 'FROM scratch\n',
    imports: [],
    git: [],
    insecureRegistries: [],
  };
}

/** A planned stage: `stored` (in the registry), `buildable` (ready with a recipe) or `waiting`. */
export function stage(
  image: string,
  name: string,
  kind: 'stored' | 'buildable' | 'waiting',
  digest = `${image}-${name}-digest`,
): PlannedStage {
  const base = { image, name, waitsFor: [], blockedBy: [], buildWaitsFor: [] } as unknown as PlannedStage;
  if (kind === 'waiting')
    return { ...base, status: 'waiting', blockedBy: [{ image, stage: 'install' }] } as PlannedStage;
  if (kind === 'stored') {
    return { ...base, status: 'ready', digest, stored: { manifestDigest: `sha256:${'a'.repeat(64)}` } };
  }
  return { ...base, status: 'ready', digest, prepareSpec: prepareSpec(image, name, digest) };
}

export function plan(images: Array<{ name: string; stages: PlannedStage[]; requested?: boolean }>): Plan {
  return {
    project: 'shop',
    platform: undefined,
    images: images.map(
      (i) =>
        ({
          name: i.name,
          final: true,
          requested: i.requested ?? true,
          needs: [],
          stages: i.stages,
        }) as PlannedImage,
    ),
    errors: [],
    warnings: [],
    needs: [],
  };
}
