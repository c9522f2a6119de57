import type { PlannedStage } from '../plan/planner.js';
import type { RegistryFacts } from './facts.js';

// A stage built FROM an external image (a `from:` base) is asked about before
// its Job is made: a base that is not in its registry would otherwise end as
// a build failure carrying the builder's pull error; here it becomes
// ImageNotFound naming the image. Only a definite "absent" counts: a registry
// that cannot be asked (no route, other credentials, slow) leaves it to the build.

const ASK_TIMEOUT_MS = 10_000;

/** Why `stage` cannot be built because its base image is absent, or undefined. */
export async function missingBaseImage(
  stage: PlannedStage,
  registry: Pick<RegistryFacts, 'manifestDigest'>,
  timeoutMs = ASK_TIMEOUT_MS,
): Promise<string | undefined> {
  const base = stage.recipe?.base;
  if (base?.kind !== 'external') return undefined;
  let timer: NodeJS.Timeout | undefined;
  const answer = await Promise.race([
    registry.manifestDigest(base.ref).then(
      (digest) => (digest === undefined ? 'absent' : 'present'),
      () => 'unknown',
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('unknown'), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (answer !== 'absent') return undefined;
  return `base image ${base.ref} of image "${stage.image}" (from:) is not in its registry: check its name and tag, or push it`;
}
