import type { PlannedStage } from '../plan/planner.js';
import type { RegistryFacts } from './facts.js';

// A stage built FROM an external image (a `from:` base) is asked about before
// its Job is made: a base that is not in its registry would otherwise end as
// a build failure carrying the builder's pull error; here it becomes
// ImageNotFound naming the image. Only a definite "absent" counts: the
// registry answered that it has no such image, or its host name does not
// exist (DNS NXDOMAIN: build pods resolve names through the same cluster
// DNS). A registry that cannot be asked otherwise (no route, other
// credentials, slow) leaves it to the build.

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
      (err: unknown) => (isUnknownHost(err) ? 'no-host' : 'unknown'),
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('unknown'), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (answer === 'no-host') {
    return `base image ${base.ref} of image "${stage.image}" (from:): its registry host does not exist (DNS: no such host): check the image name`;
  }
  if (answer !== 'absent') return undefined;
  return `base image ${base.ref} of image "${stage.image}" (from:) is not in its registry: check its name and tag, or push it`;
}

/** A lookup that failed because the registry's host name does not exist (ENOTFOUND anywhere in the cause chain). */
function isUnknownHost(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === 'ENOTFOUND') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
