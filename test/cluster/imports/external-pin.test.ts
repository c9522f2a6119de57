// External import sources against the loopback registry: the reconciler pins
// a tag to its manifest digest once per pass (src/reconciler/facts.ts), the
// checksum is learned for the pinned image, and a tag that moves between
// passes gives the next pass the new manifest while what was planned keeps
// reading the old one.
import { describe, expect, inject, it } from 'vitest';
import type { ImageBuild } from '../../../src/api/imagebuild.js';
import { importChecksumKey, type Need } from '../../../src/plan/facts.js';
import { planBuild } from '../../../src/plan/planner.js';
import { FactCache, learnFacts, newPassMemo } from '../../../src/reconciler/facts.js';
import { registryAccess } from '../../../src/reconciler/registry-access.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { readImportFiles } from '../../../src/registry/imports.js';
import { pushImage } from '../../support/push-image.js';
import { config, image, importFrom } from '../../unit/plan/model-builders.js';

const registry = inject('registry');
const client = new RegistryClient({ insecureRegistries: [registry] });
const repository = `${registry}/pin-test/stages-${process.pid}`;
const tools = `${registry}/pin-test/tools-${process.pid}`;
const facts = registryAccess.forBuild(
  { spec: { registry: { repository, insecure: true } } } as unknown as ImageBuild,
  undefined,
);

const cfg = config([
  image('app', {
    import: [
      importFrom('x', {
        source: { kind: 'external', reference: `${tools}:v1`, via: 'from' },
        add: '/usr/bin/tool',
        to: '/usr/local/bin/tool',
      }),
    ],
  }),
]);

/** One reconcile pass as `observe` runs it: plan, learn, plan again until nothing new. */
async function pass(cache: FactCache) {
  const memo = newPassMemo();
  const { externalImages } = memo;
  let plan = planBuild(cfg, { repository }, { ...cache.planFacts(repository), externalImages });
  for (let round = 0; round < 5; round++) {
    const { learned } = await learnFacts(plan.needs, repository, cache, facts, memo);
    if (learned === 0) break;
    plan = planBuild(cfg, { repository }, { ...cache.planFacts(repository), externalImages });
  }
  const deps = plan.images[0]?.stages[1];
  return { externalImages, deps, needs: plan.needs };
}

describe('external import sources are pinned once per pass', () => {
  it('plans from the manifest the tag names at the start of the pass; the next pass sees the moved tag', async () => {
    const v1 = await pushImage(client, `${tools}:v1`, [
      [{ type: 'file', path: 'usr/bin/tool', content: 'one\n', mode: 0o755 }],
    ]);
    const cache = new FactCache();
    const first = await pass(cache);
    expect([...first.externalImages]).toEqual([[`${tools}:v1`, `${tools}@${v1.digest}`]]);
    const imp1 = first.deps?.recipe?.imports[0];
    expect(imp1?.source).toEqual({ kind: 'external', ref: `${tools}@${v1.digest}` });
    expect(first.deps?.digest).toBeDefined();

    // The tag moves to different files.
    const v2 = await pushImage(client, `${tools}:v1`, [
      [{ type: 'file', path: 'usr/bin/tool', content: 'two\n', mode: 0o755 }],
    ]);
    expect(v2.digest).not.toBe(v1.digest);
    const second = await pass(cache);
    const imp2 = second.deps?.recipe?.imports[0];
    expect(imp2?.source).toEqual({ kind: 'external', ref: `${tools}@${v2.digest}` });
    expect(imp2?.checksum).not.toBe(imp1?.checksum);
    expect(second.deps?.digest).not.toBe(first.deps?.digest);

    // What the first pass planned still reads its own files: the pinned
    // manifest, whose checksum is the one its stage digest was made from.
    const read = await readImportFiles(client, `${tools}@${v1.digest}`, [
      { add: '/usr/bin/tool', includePaths: [], excludePaths: [] },
    ]);
    expect(read.imports[0]?.checksum).toBe(imp1?.checksum);
    expect(
      cache.checksum(
        importChecksumKey({
          source: { kind: 'external', ref: `${tools}@${v1.digest}` },
          add: '/usr/bin/tool',
          includePaths: [],
          excludePaths: [],
        }),
      ),
    ).toBe(imp1?.checksum);
  });

  it('within a pass the tag is asked once, even if it moves meanwhile', async () => {
    const a = await pushImage(client, `${tools}:v2`, [[{ type: 'file', path: 'f', content: 'a' }]]);
    const memo = newPassMemo();
    const { externalImages } = memo;
    const need: Need = { kind: 'externalImage', key: `${tools}:v2`, ref: `${tools}:v2` };
    const cache = new FactCache();
    expect((await learnFacts([need], repository, cache, facts, memo)).learned).toBe(1);
    await pushImage(client, `${tools}:v2`, [[{ type: 'file', path: 'f', content: 'b' }]]);
    expect((await learnFacts([need], repository, cache, facts, memo)).learned).toBe(0);
    expect(externalImages.get(`${tools}:v2`)).toBe(`${tools}@${a.digest}`);
  });

  it('a missing external image is an ImageNotFound problem of the need naming the reference (not a retry)', async () => {
    const need: Need = { kind: 'externalImage', key: `${tools}:absent`, ref: `${tools}:absent` };
    const memo = newPassMemo();
    const { externalImages, problems } = memo;
    const result = await learnFacts([need], repository, new FactCache(), facts, memo);
    expect(result.learned).toBe(0);
    expect(externalImages.size).toBe(0);
    expect(problems.get(`${tools}:absent`)).toEqual({
      reason: 'ImageNotFound',
      message: `registry ${registry}, repository pin-test/tools-${process.pid}, reference absent: import source image not found`,
    });
  });
});
