// Image references as Docker and the distribution spec read them:
// `[registry[:port]/]repository[:tag][@digest]`.

export interface ImageReference {
  /** Registry as addressed: `docker.io` for Docker Hub, otherwise host[:port]. */
  registry: string;
  /** Repository path, e.g. `library/alpine` or `team/app`. */
  repository: string;
  tag?: string;
  /** `algorithm:hex`, e.g. `sha256:...`. Takes precedence over the tag. */
  digest?: string;
}

export class InvalidReferenceError extends Error {
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`invalid image reference ${JSON.stringify(reference)}: ${reason}`);
    this.name = 'InvalidReferenceError';
  }
}

export const DOCKER_HUB = 'docker.io';
const componentRe = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const hostRe =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;

/**
 * Parses a reference with Docker's defaults: a first component containing
 * `.` or `:` (or equal to `localhost`) is the registry, otherwise Docker
 * Hub; single-name Hub images get `library/`; no tag and no digest means
 * `latest`.
 */
export function parseImageReference(input: string): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (input === '' || input.trim() !== input) fail('empty or surrounded by spaces');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) fail(`bad digest "${digest}"`);
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      fail('a sha256 digest needs 64 lowercase hex digits');
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) fail(`bad tag "${tag}"`);
  }
  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      repository = rest.slice(slash + 1);
      if (!hostRe.test(registry)) fail(`bad registry host "${registry}"`);
    }
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (repository === '') fail('no repository name');
  for (const component of repository.split('/')) {
    if (!componentRe.test(component)) {
      fail(`repository component "${component}" must be lowercase letters, digits and separators`);
    }
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository.length > 255) fail('repository name longer than 255 characters');
  if (tag === undefined && digest === undefined) tag = 'latest';
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The manifest reference to ask the registry for: the digest if pinned, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Canonical text form: `registry/repository[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host the API lives on (Docker Hub's API is not on docker.io). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** A copy of the reference pinned to a digest (tag dropped). */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, digest };
}

/** A copy of the reference pointing at a tag (digest dropped). */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!tagRe.test(tag))
    throw new InvalidReferenceError(`${ref.registry}/${ref.repository}:${tag}`, 'bad tag');
  return { registry: ref.registry, repository: ref.repository, tag };
}
