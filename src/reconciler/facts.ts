import type { Need, PlanFacts, StageImageFact } from '../plan/facts.js';
import { importChecksumKey } from '../plan/facts.js';
import { RegistryError } from '../registry/errors.js';
import {
  formatImageReference,
  manifestReference,
  parseImageReference,
  withDigest,
} from '../registry/reference.js';

// What the operator has learned from registries, shared by all ImageBuilds:
// stage images by repository and digest (content addressed, so a positive
// answer stays true; kept for a while, then asked again in case someone
// deleted the tag), and import checksums (keyed by the source's content).

const STAGE_IMAGE_TTL_MS = 10 * 60_000;

export interface RegistryFacts {
  /** HEAD of a reference (`<repository>:<stage digest>`, an external image): the manifest digest, or undefined when absent. */
  manifestDigest(ref: string): Promise<string | undefined>;
  /** The import checksum of the files selected from a stage image addressed by digest. */
  importChecksum(
    sourceRef: string,
    selector: { add: string; includePaths: readonly string[]; excludePaths: readonly string[] },
  ): Promise<string>;
  /** Points `<repository>:<tag>` at the manifest `source` names (repository@digest); no-op when it already does. */
  tag(source: string, target: string): Promise<void>;
}

export class FactCache {
  /** repository -> stage digest -> fact and when it was learned. */
  private readonly stageImages = new Map<string, Map<string, { fact: StageImageFact; at: number }>>();
  private readonly checksums = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  stageImage(repository: string, digest: string): StageImageFact | undefined {
    const hit = this.stageImages.get(repository)?.get(digest);
    if (!hit || this.now() - hit.at > STAGE_IMAGE_TTL_MS) return undefined;
    return hit.fact;
  }

  setStageImage(repository: string, digest: string, fact: StageImageFact): void {
    const repo = this.stageImages.get(repository) ?? new Map();
    repo.set(digest, { fact, at: this.now() });
    this.stageImages.set(repository, repo);
  }

  checksum(key: string): string | undefined {
    return this.checksums.get(key);
  }

  setChecksum(key: string, value: string): void {
    this.checksums.set(key, value);
  }

  /** The planner's view for one repository. */
  planFacts(repository: string): PlanFacts {
    const stageImages = new Map<string, StageImageFact>();
    for (const [digest, hit] of this.stageImages.get(repository) ?? []) {
      if (this.now() - hit.at <= STAGE_IMAGE_TTL_MS) stageImages.set(digest, hit.fact);
    }
    return { stageImages, importChecksums: this.checksums };
  }
}

export interface LearnResult {
  learned: number;
  /** Needs no source can answer yet (the source stage image is not built) or at all (git, for now). */
  unanswered: Need[];
}

/** An external image reference pinned to the manifest digest its tag names now. */
async function pinExternalImage(registry: RegistryFacts, reference: string): Promise<string> {
  const ref = parseImageReference(reference);
  const digest = await registry.manifestDigest(reference);
  if (!digest) {
    const target = { registry: ref.registry, repository: ref.repository, reference: manifestReference(ref) };
    throw new RegistryError('not-found', target, 'import source image not found');
  }
  return formatImageReference(withDigest(ref, digest));
}

/**
 * Answers the planner's needs from the registry. Stage images known absent
 * in this pass are not asked again (`absent`), so a pass asks each at most
 * once. External import sources are pinned once per pass in
 * `externalImages` (the caller passes the map to the planner as
 * `PlanFacts.externalImages`): a tag is read again next pass, but within a
 * pass the checksum and the Job's prepare spec see one manifest.
 */
export async function learnFacts(
  needs: readonly Need[],
  repository: string,
  cache: FactCache,
  registry: RegistryFacts,
  absent: Set<string>,
  externalImages: Map<string, string> = new Map(),
): Promise<LearnResult> {
  let learned = 0;
  const unanswered: Need[] = [];
  await Promise.all(
    needs.map(async (need) => {
      if (need.kind === 'stageImage') {
        if (absent.has(need.digest) || cache.stageImage(repository, need.digest)) return;
        const digest = await registry.manifestDigest(`${repository}:${need.digest}`);
        if (digest) {
          cache.setStageImage(repository, need.digest, { manifestDigest: digest });
          learned++;
        } else absent.add(need.digest);
      } else if (need.kind === 'importChecksum') {
        if (cache.checksum(need.key) !== undefined) return;
        let sourceRef: string;
        if (need.source.kind === 'stage') {
          const fact = cache.stageImage(repository, need.source.digest);
          if (!fact) return void unanswered.push(need);
          sourceRef = `${repository}@${fact.manifestDigest}`;
        } else sourceRef = need.source.ref;
        const checksum = await registry.importChecksum(sourceRef, need);
        cache.setChecksum(need.key || importChecksumKey(need), checksum);
        learned++;
      } else if (need.kind === 'externalImage') {
        if (externalImages.has(need.key)) return;
        externalImages.set(need.key, await pinExternalImage(registry, need.ref));
        learned++;
      } else unanswered.push(need);
    }),
  );
  return { learned, unanswered };
}
