import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/plan/planner.js';
import { compileConfig } from '../../../src/reconciler/config.js';
import {
  buildCandidateNeeds,
  FactCache,
  learnFacts,
  newPassMemo,
  type RegistryFacts,
  settlePlan,
} from '../../../src/reconciler/facts.js';
import { ImportSourceError } from '../../../src/registry/imports.js';
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
  readonly gets: string[] = [];
  async manifestDigest(ref: string): Promise<string | undefined> {
    this.heads.push(ref);
    return this.tags.get(ref);
  }
  async imageConfigDigest(
    ref: string,
  ): Promise<{ manifestDigest: string; configDigest: string } | undefined> {
    this.gets.push(ref);
    const manifestDigest = this.tags.get(ref);
    return manifestDigest ? { manifestDigest, configDigest: configOf(manifestDigest) } : undefined;
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
const sha256 = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
/** The fake registry's image config digest of a manifest. */
const configOf = (manifestDigest: string) => sha256(`config of ${manifestDigest}`);

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

// `dependencies` with `type: ImageID` inject the dependency's image config
// digest, which a HEAD does not tell. The planner used to wait for it forever:
// the reconciler only ever learned manifest digests, and skipped a stage
// image it knew.
describe('a dependency of type ImageID', () => {
  const DEP_REPO = '127.0.0.1:5000/demo/dep';
  const DEP_CONFIG = `project: dep
configVersion: 1
---
image: a
from: 127.0.0.1:5000/busybox:latest
shell:
  install: [echo a > /a]
---
image: b
from: 127.0.0.1:5000/busybox:latest
dependencies:
- image: a
  after: install
  imports:
  - type: ImageID
    targetEnv: A_ID
  - type: ImageDigest
    targetEnv: A_DIGEST
shell:
  install: [echo b]
  setup: [echo "$A_ID $A_DIGEST" > /a-id]
`;
  const depCompiled = () => {
    const result = compileConfig(
      DEP_CONFIG,
      imageBuild({ registry: { repository: DEP_REPO, insecure: true } }),
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    return result.compiled;
  };
  const settle = (cache: FactCache, registry: TagRegistry) =>
    settlePlan({ compiled: depCompiled(), repository: DEP_REPO, cache, registry, jobDigests: new Set() });
  const find = (p: Plan, image: string, name: string) =>
    p.images.find((i) => i.name === image)!.stages.find((s) => s.name === name)!;

  it('builds every stage: the importing stage gets the config digest and manifest digest of the last stage of a', async () => {
    const registry = new TagRegistry();
    const cache = new FactCache();
    const dockerfiles = new Map<string, string>();
    let plan: Plan | undefined;
    /** Per pass: how the last stage of a was asked for. */
    const aAsked: string[] = [];
    for (let pass = 0; pass < 10; pass++) {
      registry.heads.length = 0;
      registry.gets.length = 0;
      plan = await settle(cache, registry);
      const aLast = `${DEP_REPO}:${find(plan, 'a', 'install').digest}`;
      // Each stage image is asked for at most once per pass, by HEAD or (a's last stage only) by GET.
      const asked = [...registry.heads, ...registry.gets];
      expect(asked.length).toBe(new Set(asked).size);
      expect(registry.gets.filter((ref) => ref !== aLast)).toEqual([]);
      aAsked.push(registry.heads.includes(aLast) ? 'HEAD' : registry.gets.includes(aLast) ? 'GET' : '-');
      const buildable = stages(plan).filter((s) => s.prepareSpec);
      if (buildable.length === 0) break;
      for (const s of buildable) {
        dockerfiles.set(`${s.image}/${s.name}`, s.prepareSpec!.dockerfile);
        const manifest = sha256(s.digest!);
        registry.tags.set(`${DEP_REPO}:${s.digest}`, manifest);
        // What a verified Job result stores: the manifest digest only.
        cache.setStageImage(DEP_REPO, s.digest!, { manifestDigest: manifest });
      }
    }
    const notStored = stages(plan!)
      .filter((s) => !s.stored)
      .map((s) => `${s.image}/${s.name}`);
    expect(notStored).toEqual([]);
    const aLast = find(plan!, 'a', 'install');
    const aManifest = sha256(aLast.digest!);
    const deps = dockerfiles.get('b/dependenciesAfterInstall');
    expect(deps).toContain(`ENV "A_ID"="${configOf(aManifest)}"`);
    expect(deps).toContain(`ENV "A_DIGEST"="${aManifest}"`);
    // Asked by GET, never by HEAD, until known: absent twice (before a/from, then a/install were built),
    // then once more to complete the fact a's build left without a config digest; then never again.
    expect(aAsked).toEqual(['GET', 'GET', 'GET', '-', '-']);
    expect(cache.stageImage(DEP_REPO, aLast.digest!)).toEqual({
      manifestDigest: aManifest,
      configDigest: configOf(aManifest),
    });
  });

  it('a fresh process against a filled registry asks each stage once, the last stage of a by GET instead of HEAD', async () => {
    const registry = new TagRegistry();
    const first = await settle(new FactCache(), registry);
    // Fill the registry with every stage the way an earlier process would have.
    const cache = new FactCache();
    let plan = first;
    for (let pass = 0; pass < 10 && stages(plan).some((s) => s.prepareSpec); pass++) {
      for (const s of stages(plan).filter((x) => x.prepareSpec)) {
        registry.tags.set(`${DEP_REPO}:${s.digest}`, sha256(s.digest!));
        cache.setStageImage(DEP_REPO, s.digest!, { manifestDigest: sha256(s.digest!) });
      }
      plan = await settle(cache, registry);
    }
    registry.heads.length = 0;
    registry.gets.length = 0;
    const fresh = await settle(new FactCache(), registry);
    expect(stages(fresh).every((s) => s.stored)).toBe(true);
    // The stage reading a's ImageID may be stored: that is not known before a is asked for, so a is asked by GET.
    const aLast = `${DEP_REPO}:${find(fresh, 'a', 'install').digest}`;
    expect(registry.gets).toEqual([aLast]);
    expect(registry.heads).not.toContain(aLast);
    expect(registry.heads.length).toBe(new Set(registry.heads).size);
    expect(new Set([...registry.heads, ...registry.gets])).toEqual(
      new Set(stages(fresh).map((s) => `${DEP_REPO}:${s.digest}`)),
    );
  });

  const need = (withConfig: boolean) => ({
    kind: 'stageImage' as const,
    key: 'd1',
    image: 'a',
    stage: 'install' as const,
    digest: 'd1',
    ...(withConfig ? { withConfig: true as const } : {}),
  });

  it('learnFacts: one GET (no HEAD) for a stage image wanted with its config digest; a fact without one is completed', async () => {
    const registry = new TagRegistry();
    registry.tags.set(`${REPO}:d1`, 'sha256:m1');
    // Unknown: the GET answers both digests.
    let cache = new FactCache();
    expect((await learnFacts([need(true)], REPO, cache, registry)).learned).toBe(1);
    expect(cache.stageImage(REPO, 'd1')).toEqual({
      manifestDigest: 'sha256:m1',
      configDigest: configOf('sha256:m1'),
    });
    expect(registry.gets).toEqual([`${REPO}:d1`]);
    expect(registry.heads).toEqual([]);
    // Known with it: nothing asked.
    expect((await learnFacts([need(true), need(false)], REPO, cache, registry)).learned).toBe(0);
    expect(registry.gets.length).toBe(1);
    // Known without it (a HEAD or a Job result): completed by one GET, not skipped.
    cache = new FactCache();
    cache.setStageImage(REPO, 'd1', { manifestDigest: 'sha256:m1' });
    expect((await learnFacts([need(false)], REPO, cache, registry)).learned).toBe(0);
    expect((await learnFacts([need(true)], REPO, cache, registry)).learned).toBe(1);
    expect(cache.stageImage(REPO, 'd1')?.configDigest).toBe(configOf('sha256:m1'));
    expect(registry.gets.length).toBe(2);
    expect(registry.heads).toEqual([]);
    // Absent: remembered for the pass like a HEAD's 404.
    const absent = new Set<string>();
    expect(
      (
        await learnFacts([{ ...need(true), digest: 'd2', key: 'd2' }], REPO, cache, registry, {
          ...newPassMemo(),
          absent,
        })
      ).learned,
    ).toBe(0);
    expect([...absent]).toEqual(['d2']);
  });

  it('FactCache keeps a config digest when the same manifest is stored again without one', () => {
    const cache = new FactCache();
    cache.setStageImage(REPO, 'd1', { manifestDigest: 'sha256:m1', configDigest: 'sha256:c1' });
    cache.setStageImage(REPO, 'd1', { manifestDigest: 'sha256:m1' });
    expect(cache.stageImage(REPO, 'd1')).toEqual({ manifestDigest: 'sha256:m1', configDigest: 'sha256:c1' });
    // Another manifest: the old config digest does not belong to it.
    cache.setStageImage(REPO, 'd1', { manifestDigest: 'sha256:m2' });
    expect(cache.stageImage(REPO, 'd1')).toEqual({ manifestDigest: 'sha256:m2' });
  });
});

describe('learnFacts: answers that end the build instead of a retry', () => {
  const importNeed = {
    kind: 'importChecksum' as const,
    key: 'imp1',
    source: {
      kind: 'stage' as const,
      image: 'a',
      stage: 'setup' as const,
      digest: 'd1',
      contentDigest: 'c1',
    },
    add: '/no-such-dir',
    includePaths: [],
    excludePaths: [],
  };

  it('an add path missing from the source image is a problem of the need, asked once per pass', async () => {
    const registry = new TagRegistry();
    let asked = 0;
    registry.importChecksum = async (sourceRef, selector) => {
      asked++;
      throw new ImportSourceError(
        `import source ${sourceRef}: add path ${selector.add} not found in the image`,
      );
    };
    const cache = new FactCache();
    cache.setStageImage(REPO, 'd1', { manifestDigest: 'sha256:m1' });
    const problems = new Map();
    const result = await learnFacts([importNeed], REPO, cache, registry, { ...newPassMemo(), problems });
    expect(result.learned).toBe(0);
    expect(problems.get('imp1')).toEqual({
      reason: 'ImportNotFound',
      message: `import source ${REPO}@sha256:m1: add path /no-such-dir not found in the image`,
    });
    await learnFacts([importNeed], REPO, cache, registry, { ...newPassMemo(), problems });
    expect(asked).toBe(1);
  });

  it('other registry failures still reach the caller (retried with backoff)', async () => {
    const registry = new TagRegistry();
    registry.importChecksum = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const cache = new FactCache();
    cache.setStageImage(REPO, 'd1', { manifestDigest: 'sha256:m1' });
    await expect(learnFacts([importNeed], REPO, cache, registry)).rejects.toThrow(/ECONNREFUSED/);
  });
});
