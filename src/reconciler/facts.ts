import { Reason } from '../api/conditions.js';
import type { Need, PlanFacts, StageImageFact } from '../plan/facts.js';
import { importChecksumKey, stageImageKey } from '../plan/facts.js';
import { type CompiledPlan, evaluatePlan, type Plan } from '../plan/planner.js';
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
const MAX_FACT_ROUNDS = 32;

export interface RegistryFacts {
  /** HEAD of a reference (`<repository>:<stage digest>`, an external image): the manifest digest, or undefined when absent. */
  manifestDigest(ref: string): Promise<string | undefined>;
  /**
   * GET of a reference's manifest: its digest and the image config digest
   * (the "image ID"; from an index, of the platform the client picks), or
   * undefined when absent. Costs more than `manifestDigest`: only for stage
   * images a dependency of type ImageID reads.
   */
  imageConfigDigest(ref: string): Promise<{ manifestDigest: string; configDigest: string } | undefined>;
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

  /**
   * Stores what was learned about a stage image. A config digest known for
   * the same manifest is kept (it follows from the manifest), so a plain
   * HEAD answer never undoes a GET that ran alongside it.
   */
  setStageImage(repository: string, digest: string, fact: StageImageFact): void {
    const repo = this.stageImages.get(repository) ?? new Map();
    const known = repo.get(digest)?.fact;
    if (!fact.configDigest && known?.configDigest && known.manifestDigest === fact.manifestDigest) {
      fact = { ...fact, configDigest: known.configDigest };
    }
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

/**
 * The stages this pass would build (every input exists, no image known), as
 * stage image needs: each is looked up before a Job is made for it. The
 * planner names a stage image only as another stage's input, so a stage
 * nothing builds on yet (an image's last stage; an import source, whose
 * importer has no digest before the checksum) was built again although its
 * tag existed, whenever this process had not learned it itself: after a
 * restart, or once the fact expired. `jobDigests`: stages a Job of the build
 * answers for (its result is verified against the registry when it finishes).
 */
export function buildCandidateNeeds(plan: Plan, jobDigests: ReadonlySet<string>): Need[] {
  const out = new Map<string, Need>();
  const asked = new Set(plan.needs.flatMap((n) => (n.kind === 'stageImage' ? [n.digest] : [])));
  for (const image of plan.images) {
    for (const stage of image.stages) {
      const digest = stage.digest;
      if (
        !digest ||
        !stage.prepareSpec ||
        stage.stored ||
        jobDigests.has(digest) ||
        asked.has(digest) ||
        out.has(digest)
      )
        continue;
      out.set(digest, {
        kind: 'stageImage',
        key: stageImageKey(digest),
        image: image.name,
        stage: stage.name,
        digest,
      });
    }
  }
  return [...out.values()];
}

/**
 * A need the registry answered with "this cannot be": an import's `add`
 * path missing from its source image, an external import source that does
 * not exist. Keyed by the need's key; the stage waiting on it fails once it
 * is the next stage of its image to build (src/reconciler/decide.ts).
 */
export interface NeedProblem {
  reason: string;
  message: string;
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
 * What one pass has learned besides the shared FactCache, so that it asks
 * the registry each thing at most once: stage images known absent, external
 * import sources pinned to a manifest digest (a tag is read again next pass,
 * but within a pass the checksum and the Job's prepare spec see one
 * manifest; the planner reads them as `PlanFacts.externalImages`), and the
 * needs answered with a problem.
 */
export interface PassMemo {
  absent: Set<string>;
  externalImages: Map<string, string>;
  problems: Map<string, NeedProblem>;
}

export function newPassMemo(): PassMemo {
  return { absent: new Set(), externalImages: new Map(), problems: new Map() };
}

/** Answers the planner's needs from the registry, each at most once per pass (`pass`). */
export async function learnFacts(
  needs: readonly Need[],
  repository: string,
  cache: FactCache,
  registry: RegistryFacts,
  pass: PassMemo = newPassMemo(),
): Promise<LearnResult> {
  const { absent, externalImages, problems } = pass;
  let learned = 0;
  const unanswered: Need[] = [];
  await Promise.all(
    needs.map(async (need) => {
      if (need.kind === 'stageImage') {
        if (absent.has(need.digest)) return;
        const known = cache.stageImage(repository, need.digest);
        if (known && (!need.withConfig || known.configDigest)) return;
        const tag = `${repository}:${need.digest}`;
        let fact: StageImageFact | undefined;
        if (need.withConfig) {
          // One GET instead of the HEAD: the manifest digest and the config digest from the same manifest.
          fact = await registry.imageConfigDigest(tag);
        } else {
          const manifestDigest = await registry.manifestDigest(tag);
          fact = manifestDigest ? { manifestDigest } : undefined;
        }
        if (fact) {
          cache.setStageImage(repository, need.digest, fact);
          learned++;
        } else absent.add(need.digest);
      } else if (need.kind === 'importChecksum') {
        const key = need.key || importChecksumKey(need);
        if (cache.checksum(key) !== undefined || problems.has(key)) return;
        let sourceRef: string;
        if (need.source.kind === 'stage') {
          const fact = cache.stageImage(repository, need.source.digest);
          if (!fact) return void unanswered.push(need);
          sourceRef = `${repository}@${fact.manifestDigest}`;
        } else sourceRef = need.source.ref;
        let checksum: string;
        try {
          checksum = await registry.importChecksum(sourceRef, need);
        } catch (err) {
          // Content addressed: asking again cannot help, so it is the build's problem, not a retry.
          if ((err as Error)?.name !== 'ImportSourceError') throw err;
          problems.set(key, { reason: Reason.ImportNotFound, message: (err as Error).message });
          return;
        }
        cache.setChecksum(key, checksum);
        learned++;
      } else if (need.kind === 'externalImage') {
        if (externalImages.has(need.key) || problems.has(need.key)) return;
        try {
          externalImages.set(need.key, await pinExternalImage(registry, need.ref));
        } catch (err) {
          const e = err as { name?: string; kind?: string; message?: string };
          if (e?.name !== 'RegistryError' || e.kind !== 'not-found') throw err;
          problems.set(need.key, {
            reason: Reason.ImageNotFound,
            message: e.message ?? `${need.ref} not found`,
          });
          return;
        }
        learned++;
      } else unanswered.push(need);
    }),
  );
  return { learned, unanswered };
}

export interface SettleInput {
  compiled: CompiledPlan;
  repository: string;
  cache: FactCache;
  registry: RegistryFacts;
  /** Stage digests a Job of the build answers for: not looked up as build candidates. */
  jobDigests: ReadonlySet<string>;
  /** Facts from other sources (git), read each round over the registry's. */
  otherFacts?: () => PlanFacts;
  /** Learns what else a round can (git facts, finished Jobs' results); returns how many facts it added. */
  learnMore?: (needs: readonly Need[], absent: Set<string>) => Promise<number>;
  /** Filled with the needs the registry answered with a problem (see NeedProblem). */
  problems?: Map<string, NeedProblem>;
}

/**
 * Plans with everything the registry (and the other sources) can tell, until
 * a round learns nothing new: a stored stage may give the next stages their
 * digests (import checksums) and build recipes. Each stage is looked up at
 * most once per call.
 */
export async function settlePlan(input: SettleInput): Promise<Plan> {
  const { compiled, repository, cache, registry } = input;
  const pass = { ...newPassMemo(), ...(input.problems ? { problems: input.problems } : {}) };
  const facts = () => ({
    ...cache.planFacts(repository),
    ...input.otherFacts?.(),
    externalImages: pass.externalImages,
  });
  let plan = evaluatePlan(compiled, facts());
  for (let round = 0; round < MAX_FACT_ROUNDS; round++) {
    const needs = [...plan.needs, ...buildCandidateNeeds(plan, input.jobDigests)];
    const [fromRegistry, more] = await Promise.all([
      learnFacts(needs, repository, cache, registry, pass),
      input.learnMore?.(needs, pass.absent) ?? 0,
    ]);
    if (fromRegistry.learned + more === 0) break;
    plan = evaluatePlan(compiled, facts());
  }
  return plan;
}
