import type { Need, PlanFacts, StageImageFact } from '../../../src/plan/facts.js';
import { h256 } from '../../../src/plan/hash.js';
import { type Plan, type PlanRequest, planBuild } from '../../../src/plan/planner.js';
import type { WerfConfig } from '../../../src/werf/model.js';

// A stand-in for what the reconciler learns from registries and git: each
// need is answered deterministically from its own fields plus a "content"
// function tests can change, so a test says which files changed and the
// planner's reaction is observed through the digests.

export interface World {
  /** Content of a git share (files of the mapping at `add` selected by select/skip). */
  gitContent?: (need: Extract<Need, { kind: 'gitContent' }>) => string;
  /** Files an import selects in its source stage. */
  importFiles?: (need: Extract<Need, { kind: 'importChecksum' }>) => string;
  /** Stage images that exist; default none. */
  stageImage?: (digest: string) => StageImageFact | undefined;
}

export function defaultGitContent(need: Extract<Need, { kind: 'gitContent' }>): string {
  return h256(
    'git',
    need.url,
    need.add,
    ...need.includePaths,
    '|',
    ...need.excludePaths,
    '|',
    ...need.selectPaths,
    '|',
    ...need.skipPaths,
  );
}

export function defaultImportFiles(need: Extract<Need, { kind: 'importChecksum' }>): string {
  const source = need.source.kind === 'stage' ? `${need.source.image}/${need.source.stage}` : need.source.ref;
  return h256('files', source, need.add, ...need.includePaths, '|', ...need.excludePaths);
}

/** Plans, answers every need the world can answer, and plans again until nothing new is learned. */
export function planWithWorld(config: WerfConfig, request: PlanRequest = {}, world: World = {}): Plan {
  const facts = {
    stageImages: new Map<string, StageImageFact>(),
    importChecksums: new Map<string, string>(),
    gitCommits: new Map<string, string>(),
    gitContent: new Map<string, string>(),
    externalImages: new Map<string, string>(),
  } satisfies PlanFacts;
  for (let round = 0; round < 100; round++) {
    const plan = planBuild(config, request, facts);
    let learned = false;
    for (const need of plan.needs) {
      switch (need.kind) {
        case 'gitCommit':
          facts.gitCommits.set(need.key, h256('commit', need.url, need.ref).slice(0, 40));
          learned = true;
          break;
        case 'gitContent':
          facts.gitContent.set(need.key, (world.gitContent ?? defaultGitContent)(need));
          learned = true;
          break;
        case 'externalImage':
          // Each reference names one manifest in this world.
          facts.externalImages.set(need.key, `${need.ref}@sha256:${h256('manifest', need.ref)}`);
          learned = true;
          break;
        case 'importChecksum':
          facts.importChecksums.set(need.key, (world.importFiles ?? defaultImportFiles)(need));
          learned = true;
          break;
        case 'stageImage': {
          const fact = world.stageImage?.(need.digest);
          if (fact) {
            facts.stageImages.set(need.key, fact);
            learned = true;
          }
          break;
        }
      }
    }
    if (!learned) return plan;
  }
  throw new Error('planning did not settle');
}

/** `image/stage` -> digest for every ready stage. */
export function digests(plan: Plan): Map<string, string> {
  const out = new Map<string, string>();
  for (const image of plan.images) {
    for (const stage of image.stages) if (stage.digest) out.set(`${image.name}/${stage.name}`, stage.digest);
  }
  return out;
}

export function stageNames(plan: Plan, image: string): string[] {
  return plan.images.find((i) => i.name === image)?.stages.map((s) => s.name) ?? [];
}
