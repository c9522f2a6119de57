import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/plan/planner.js';
import { compileConfig } from '../../../src/reconciler/config.js';
import {
  buildCandidateNeeds,
  FactCache,
  type RegistryFacts,
  settlePlan,
} from '../../../src/reconciler/facts.js';
import { imageBuild, plan, stage } from './fixtures.js';

// The demo's second run (issue 9): a fresh operator process against a
// registry that holds every stage of the examples from an earlier run. The
// planner names a stage image only as another stage's input, so the stages
// nothing builds on (an image's last stage, an import source) used to be
// built again although their tags existed.

const REPO = '127.0.0.1:5000/demo/example';
const examples = ['seed', 'multi-image'];

/** A registry as the reconciler sees it: tags in a map; each lookup is counted. */
class TagRegistry implements RegistryFacts {
  readonly tags = new Map<string, string>();
  readonly heads: string[] = [];
  async manifestDigest(ref: string): Promise<string | undefined> {
    this.heads.push(ref);
    return this.tags.get(ref);
  }
  async importChecksum(
    sourceRef: string,
    selector: { add: string; includePaths: readonly string[]; excludePaths: readonly string[] },
  ): Promise<string> {
    // Depends on the source's content (its manifest here) and the selection, as the real one does.
    const manifest = sourceRef.slice(sourceRef.indexOf('@') + 1);
    return md5(`${manifest} ${selector.add} ${selector.includePaths} ${selector.excludePaths}`);
  }
  async tag(): Promise<void> {}
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function compiled(example: string) {
  const text = readFileSync(join(import.meta.dirname, '../../../examples', example, 'werf.yaml'), 'utf8');
  const build = imageBuild({
    env: { BASE_IMAGE: '127.0.0.1:5000/busybox:latest' },
    registry: { repository: REPO, insecure: true },
  });
  const result = compileConfig(text, build);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.compiled;
}

const stages = (p: Plan) => p.images.flatMap((i) => i.stages);

/** The first operator: builds every stage it is asked to, pushing `<repository>:<digest>`. */
async function buildEverything(example: string, registry: TagRegistry): Promise<Plan> {
  const cache = new FactCache();
  for (;;) {
    const plan = await settlePlan({
      compiled: compiled(example),
      repository: REPO,
      cache,
      registry,
      jobDigests: new Set(),
    });
    const buildable = stages(plan).filter((s) => s.prepareSpec);
    if (buildable.length === 0) return plan;
    for (const s of buildable) {
      const manifest = `sha256:${createHash('sha256').update(s.digest!).digest('hex')}`;
      registry.tags.set(`${REPO}:${s.digest}`, manifest);
      cache.setStageImage(REPO, s.digest!, { manifestDigest: manifest });
    }
  }
}

describe('settlePlan', () => {
  for (const example of examples) {
    it(`a fresh process finds every stage of examples/${example} in a registry an earlier process filled`, async () => {
      const registry = new TagRegistry();
      const first = await buildEverything(example, registry);
      expect(stages(first).every((s) => s.stored)).toBe(true);
      registry.heads.length = 0;

      const plan = await settlePlan({
        compiled: compiled(example),
        repository: REPO,
        cache: new FactCache(),
        registry,
        jobDigests: new Set(),
      });
      const notStored = stages(plan)
        .filter((s) => !s.stored)
        .map((s) => `${s.image}/${s.name}`);
      expect(notStored).toEqual([]);
      expect(stages(plan).map((s) => s.digest)).toEqual(stages(first).map((s) => s.digest));
      // Each stage image is asked for once.
      expect(registry.heads.length).toBe(new Set(registry.heads).size);
      expect(new Set(registry.heads)).toEqual(new Set(stages(plan).map((s) => `${REPO}:${s.digest}`)));
    });
  }

  it('asks for a stage before building it', async () => {
    const registry = new TagRegistry();
    const settled = await settlePlan({
      compiled: compiled('seed'),
      repository: REPO,
      cache: new FactCache(),
      registry,
      jobDigests: new Set(),
    });
    // An empty registry: the three `from` stages (one digest) are to build, and were asked for.
    const buildable = stages(settled).filter((s) => s.prepareSpec);
    expect(new Set(buildable.map((s) => s.name))).toEqual(new Set(['from']));
    expect(registry.heads).toContain(`${REPO}:${buildable[0]!.digest}`);
    expect(registry.heads.length).toBe(new Set(registry.heads).size);
  });

  it('names each stage it would build once, skipping stored ones and those a Job answers for', () => {
    const p = plan([
      { name: 'a', stages: [stage('a', 'from', 'stored'), stage('a', 'install', 'buildable', 'd1')] },
      { name: 'b', stages: [stage('b', 'install', 'buildable', 'd1'), stage('b', 'setup', 'waiting')] },
      { name: 'c', stages: [stage('c', 'install', 'buildable', 'd2')] },
    ]);
    expect(buildCandidateNeeds(p, new Set())).toEqual([
      { kind: 'stageImage', key: 'd1', image: 'a', stage: 'install', digest: 'd1' },
      { kind: 'stageImage', key: 'd2', image: 'c', stage: 'install', digest: 'd2' },
    ]);
    expect(buildCandidateNeeds(p, new Set(['d1']))).toEqual([
      { kind: 'stageImage', key: 'd2', image: 'c', stage: 'install', digest: 'd2' },
    ]);
  });
});
