import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseExecForm } from '../../../src/plan/dockerfile-syntax.js';
import { importChecksumKey, type StageImageFact } from '../../../src/plan/facts.js';
import { planBuild } from '../../../src/plan/planner.js';
import { PrepareSpecSchema } from '../../../src/plan/prepare-spec.js';
import { config, docker, image, imageSpec, importFrom, localGit, shell } from './model-builders.js';
import { digests, planWithWorld, stageNames } from './world.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sha3 = (s: string) => createHash('sha3-224').update(s).digest('hex');

describe('stage digests follow werf v2 formulas', () => {
  it('computes from and install digests exactly as werf §4.2-4.3 for a git-less image', () => {
    const cfg = config([image('app', { shell: shell({ install: ['echo hi'] }) })]);
    const plan = planBuild(cfg);
    const [from, install] = plan.images[0]!.stages;
    // Recomputed by hand from the formulas, independent of the planner's helpers.
    const fromDigest = sha3(['1.2', 'from', sha256('alpine:3.20')].join(':::'));
    expect(from!.digest).toBe(fromDigest);
    const s = sha256('echo hi');
    const g = sha256('');
    const installDeps = sha256([s, g].join(':::'));
    expect(install!.digest).toBe(sha3(['1.2', 'install', installDeps, fromDigest, ''].join(':::')));
  });

  it('hashes dependencies stages under their legacy imports* names and leaves linux/amd64 out', () => {
    const cfg = config([
      image('src', { final: false, shell: shell({ install: ['mkdir /out'] }) }),
      image('dst', { import: [importFrom('src')] }),
    ]);
    const amd = planWithWorld(cfg, { platform: 'linux/amd64' });
    const none = planWithWorld(cfg);
    expect(digests(amd)).toEqual(digests(none));
    const arm = planWithWorld(cfg, { platform: 'linux/arm64' });
    expect(digests(arm).get('dst/from')).not.toBe(digests(none).get('dst/from'));
    const dst = none.images.find((i) => i.name === 'dst')!;
    const from = dst.stages[0]!;
    const deps = dst.stages[1]!;
    const checksum = deps.recipe!.imports[0]!.checksum;
    const depsString = sha256([checksum, '/out', '', ''].join(':::'));
    expect(deps.digest).toBe(sha3(['1.2', 'importsAfterInstall', depsString, from.digest, ''].join(':::')));
  });
});

describe('stage lists (werf §3.1)', () => {
  it('orders every stage werf v2 knows, without gitCache/gitLatestPatch', () => {
    const cfg = config([
      image('base', { final: false }),
      image('app', {
        git: [localGit()],
        shell: shell({ beforeInstall: ['a'], install: ['b'], beforeSetup: ['c'], setup: ['d'] }),
        import: (['beforeInstall', 'afterInstall', 'beforeSetup', 'afterSetup'] as const).map((slot) =>
          importFrom('base', { slot, add: `/${slot}`, to: `/${slot}` }),
        ),
        docker: docker({ WORKDIR: undefined, workdir: '/app' } as never),
        imageSpec: imageSpec({ author: 'me' }),
      }),
    ]);
    expect(stageNames(planBuild(cfg), 'app')).toEqual([
      'from',
      'beforeInstall',
      'dependenciesBeforeInstall',
      'gitArchive',
      'install',
      'dependenciesAfterInstall',
      'beforeSetup',
      'dependenciesBeforeSetup',
      'setup',
      'dependenciesAfterSetup',
      'dockerInstructions',
      'imageSpec',
    ]);
  });

  it('creates a stage for a cache version without commands (pitfall 8) and all four for shell.cacheVersion', () => {
    const one = config([
      image('x', { shell: shell({ installCacheVersion: '2', setup: ['date > /built'] }) }),
    ]);
    expect(stageNames(planBuild(one), 'x')).toEqual(['from', 'install', 'setup']);
    const all = config([image('x', { shell: shell({ cacheVersion: '1' }) })]);
    expect(stageNames(planBuild(all), 'x')).toEqual([
      'from',
      'beforeInstall',
      'install',
      'beforeSetup',
      'setup',
    ]);
  });

  it('drops dockerInstructions for artifacts and disableGitAfterPatch, with a warning', () => {
    const cfg = config([
      image('x', { gitAfterPatch: false, disableGitAfterPatch: true, docker: docker({ workdir: '/app' }) }),
    ]);
    const plan = planBuild(cfg);
    expect(stageNames(plan, 'x')).toEqual(['from']);
    expect(plan.warnings[0]!.message).toMatch(/no effect/);
  });
});

describe('the image graph', () => {
  it('reports a cycle naming both ends and the chain', () => {
    const cfg = config([
      image('a', { base: { kind: 'image', image: 'b', via: 'fromImage' } }),
      image('b', { import: [importFrom('a')] }),
    ]);
    const plan = planBuild(cfg);
    expect(plan.images).toEqual([]);
    expect(plan.errors.map((e) => e.message)).toEqual([
      "image 'b' imports from 'a', which closes a cycle: a -> b -> a",
    ]);
    expect(plan.errors[0]!.path).toEqual(['import', 0, 'from']);
  });

  it('reports an unknown import source naming both ends', () => {
    const plan = planBuild(config([image('a', { import: [importFrom('nope')] })]));
    expect(plan.errors[0]!.message).toBe(
      "image 'a' imports from 'nope', which is not an image of this config",
    );
  });

  it('plans requested images and their closure only', () => {
    const cfg = config([
      image('lib', { final: false }),
      image('a', { base: { kind: 'image', image: 'lib', via: 'from' } }),
      image('b'),
    ]);
    const plan = planBuild(cfg, { images: ['a'] });
    expect(plan.images.map((i) => [i.name, i.requested])).toEqual([
      ['lib', false],
      ['a', true],
    ]);
    expect(planBuild(cfg, { images: ['zzz'] }).errors[0]!.message).toMatch(
      /requested image 'zzz' is not in the config/,
    );
  });

  it('takes the named import stage, or the last stage when the source lacks it (§4.8)', () => {
    const cfg = config([
      image('src', { final: false, shell: shell({ install: ['i'], setup: ['s'] }) }),
      image('named', { import: [importFrom('src', { stage: 'install' })] }),
      image('missing', { import: [importFrom('src', { stage: 'beforeSetup' })] }),
      image('last', { import: [importFrom('src')] }),
    ]);
    const plan = planBuild(cfg);
    const blocker = (name: string) => plan.images.find((i) => i.name === name)!.stages[1]!.blockedBy;
    expect(blocker('named')).toEqual([]);
    const sourceStage = (name: string) =>
      plan.images
        .find((i) => i.name === name)!
        .stages[1]!.waitsFor.map((n) =>
          n.kind === 'importChecksum' && n.source.kind === 'stage' ? n.source.stage : '',
        );
    expect(sourceStage('named')).toEqual(['install']);
    expect(sourceStage('missing')).toEqual(['setup']);
    expect(sourceStage('last')).toEqual(['setup']);
    // The same files are one fact, whoever imports them.
    expect(plan.needs.filter((n) => n.kind === 'importChecksum')).toHaveLength(2);
  });
});

describe('incremental planning', () => {
  const seedLike = () =>
    config([
      image('application-assets', {
        kind: 'artifact',
        final: false,
        gitAfterPatch: false,
        shell: shell({ install: ['mkdir -p /app/public/assets', 'echo a > /app/public/assets/a.css'] }),
      }),
      image('site', {
        import: [importFrom('application-assets', { add: '/app/public/assets', to: '/var/www/site/assets' })],
        shell: shell({ setup: ['ls /var/www/site/assets'] }),
      }),
    ]);

  it('waits for the import checksum, then for the source stage image, then gives the build recipe', () => {
    const cfg = seedLike();
    const request = { repository: 'registry.local/shop' };
    const first = planBuild(cfg, request);
    const site = first.images[1]!;
    const deps = site.stages[1]!;
    expect(deps.name).toBe('dependenciesAfterInstall');
    expect(deps.status).toBe('waiting');
    const need = deps.waitsFor[0]!;
    expect(need.kind).toBe('importChecksum');
    if (need.kind !== 'importChecksum' || need.source.kind !== 'stage') throw new Error('unexpected need');
    expect(need.source.image).toBe('application-assets');
    expect(need.source.stage).toBe('install');
    expect(need.key).toBe(importChecksumKey(need));
    expect(site.stages[2]!.blockedBy).toEqual([{ image: 'site', stage: 'dependenciesAfterInstall' }]);

    const importChecksums = new Map([[need.key, 'd41d8cd98f00b204e9800998ecf8427e']]);
    const second = planBuild(cfg, request, { importChecksums });
    const ready = second.images[1]!.stages[1]!;
    expect(ready.status).toBe('ready');
    expect(ready.prepareSpec).toBeUndefined();
    expect(ready.buildWaitsFor.map((n) => n.kind)).toEqual(['stageImage', 'stageImage']);

    const stageImages = new Map(
      ready.buildWaitsFor.map((n, i) => [n.key, { manifestDigest: `sha256:${String(i).repeat(64)}` }]),
    );
    const third = planBuild(cfg, request, { importChecksums, stageImages });
    const spec = PrepareSpecSchema.parse(third.images[1]!.stages[1]!.prepareSpec);
    expect(spec.imports).toEqual([
      {
        dir: 'imports/0',
        path: 'imports/0/assets',
        sourceRef: `registry.local/shop@${stageImages.get(need.source.digest)!.manifestDigest}`,
        sourceImage: 'application-assets',
        sourceStage: 'install',
        add: '/app/public/assets',
        to: '/var/www/site/assets',
        owner: '',
        group: '',
        includePaths: [],
        excludePaths: [],
        expectedChecksum: 'd41d8cd98f00b204e9800998ecf8427e',
      },
    ]);
    const lines = spec.dockerfile.split('\n');
    expect(lines[0]).toMatch(/^FROM registry\.local\/shop@sha256:/);
    expect(lines[1]).toBe('COPY ["imports/0/assets","/var/www/site/assets"]');
    expect(lines).toContain(`LABEL "stapel.dev/stage-digest"="${spec.digest}"`);
  });

  it('keeps the importer when the source rebuilds with identical files (pitfall 9)', () => {
    const before = planWithWorld(seedLike());
    const changed = seedLike();
    changed.images[0]!.fromCacheVersion = '2';
    const after = planWithWorld(changed);
    expect(digests(after).get('application-assets/install')).not.toBe(
      digests(before).get('application-assets/install'),
    );
    expect(digests(after).get('site/dependenciesAfterInstall')).toBe(
      digests(before).get('site/dependenciesAfterInstall'),
    );
    const differentFiles = planWithWorld(changed, {}, { importFiles: () => 'other' });
    expect(digests(differentFiles).get('site/dependenciesAfterInstall')).not.toBe(
      digests(before).get('site/dependenciesAfterInstall'),
    );
  });

  it('renders the shell stage as one RUN that sh can execute', () => {
    const plan = planWithWorld(
      seedLike(),
      { repository: 'r/x' },
      { stageImage: (d) => ({ manifestDigest: `sha256:${d}` }) },
    );
    const setup = plan.images[1]!.stages.find((s) => s.name === 'setup')!;
    const run = setup.prepareSpec!.dockerfile.split('\n').find((l) => l.startsWith('RUN '))!;
    expect(parseExecForm(run)[3]).toBe('ls /var/www/site/assets');
  });
});

describe('external import sources are pinned to a manifest digest', () => {
  const cfg = config([
    image('app', {
      import: [
        importFrom('x', {
          source: { kind: 'external', reference: 'registry.local/tools:v1', via: 'from' },
          add: '/usr/bin/tool',
          to: '/usr/local/bin/tool',
        }),
      ],
    }),
  ]);
  const request = { repository: 'registry.local/shop' };
  const pinnedA = `registry.local/tools@sha256:${'a'.repeat(64)}`;
  const pinnedB = `registry.local/tools@sha256:${'b'.repeat(64)}`;
  const depsOf = (plan: ReturnType<typeof planBuild>) => plan.images[0]!.stages[1]!;

  it('asks for the digest of the reference first, then for the checksum of the pinned image', () => {
    const deps = depsOf(planBuild(cfg, request));
    expect(deps.status).toBe('waiting');
    expect(deps.waitsFor).toEqual([
      { kind: 'externalImage', key: 'registry.local/tools:v1', ref: 'registry.local/tools:v1' },
    ]);
    const externalImages = new Map([['registry.local/tools:v1', pinnedA]]);
    const need = depsOf(planBuild(cfg, request, { externalImages })).waitsFor[0]!;
    expect(need).toMatchObject({ kind: 'importChecksum', source: { kind: 'external', ref: pinnedA } });
  });

  it('the prepare spec reads the pinned image; the digest depends on the files, not on the manifest', () => {
    const keyFor = (pinned: string) =>
      importChecksumKey({
        source: { kind: 'external', ref: pinned },
        add: '/usr/bin/tool',
        includePaths: [],
        excludePaths: [],
      });
    const plan = (pinned: string, checksum: string) =>
      depsOf(
        planBuild(cfg, request, {
          externalImages: new Map([['registry.local/tools:v1', pinned]]),
          importChecksums: new Map([[keyFor(pinned), checksum]]),
          stageImages: new Map(),
        }),
      );
    const a = plan(pinnedA, 'c'.repeat(32));
    expect(a.recipe!.imports[0]!.source).toEqual({ kind: 'external', ref: pinnedA });
    // The tag moved to a manifest with the same files: same stage digest.
    expect(plan(pinnedB, 'c'.repeat(32)).digest).toBe(a.digest);
    // Different files behind the tag: a different stage, never the old digest.
    expect(plan(pinnedB, 'd'.repeat(32)).digest).not.toBe(a.digest);
    expect(keyFor(pinnedA)).not.toBe(keyFor(pinnedB));
  });
});

describe('dependencies', () => {
  it('injects the dependency image as env, and waits for the config digest an ImageID needs', () => {
    const cfg = config([
      image('dep', { final: false }),
      image('app', {
        dependencies: [
          {
            image: 'dep',
            slot: 'beforeInstall',
            imports: [
              { type: 'ImageName', targetEnv: 'DEP_NAME', targetBuildArg: undefined },
              { type: 'ImageID', targetEnv: 'DEP_ID', targetBuildArg: undefined },
            ],
          },
        ],
      }),
    ]);
    const request = { repository: 'reg.local/x' };
    const plan = planBuild(cfg, request);
    const depDigest = plan.images[0]!.stages[0]!.digest!;
    const appFrom = plan.images[1]!.stages[0]!.digest!;
    const withoutConfig = new Map<string, StageImageFact>([
      [depDigest, { manifestDigest: 'sha256:aa' }],
      [appFrom, { manifestDigest: 'sha256:bb' }],
    ]);
    const waitingPlan = planBuild(cfg, request, { stageImages: withoutConfig });
    const waiting = waitingPlan.images[1]!.stages[1]!;
    expect(waiting.prepareSpec).toBeUndefined();
    expect(waiting.buildWaitsFor.map((n) => n.kind === 'stageImage' && n.digest)).toEqual([depDigest]);
    // The need says the config digest is wanted, so a fact known without one is asked again.
    expect(waiting.buildWaitsFor[0]).toMatchObject({
      kind: 'stageImage',
      digest: depDigest,
      withConfig: true,
    });
    expect(waitingPlan.needs).toEqual([waiting.buildWaitsFor[0]]);
    const withConfig = new Map(withoutConfig).set(depDigest, {
      manifestDigest: 'sha256:aa',
      configDigest: 'sha256:cc',
    });
    const ready = planBuild(cfg, request, { stageImages: withConfig }).images[1]!.stages[1]!;
    expect(ready.prepareSpec!.dockerfile).toContain(`ENV "DEP_NAME"="reg.local/x:${depDigest}"`);
    expect(ready.prepareSpec!.dockerfile).toContain('ENV "DEP_ID"="sha256:cc"');
  });

  it('asks for a stage image with its config digest when one stage wants it so and another not (either order)', () => {
    const dep = image('dep', { final: false });
    const app = image('app', {
      dependencies: [
        {
          image: 'dep',
          slot: 'beforeInstall',
          imports: [{ type: 'ImageID', targetEnv: 'DEP_ID', targetBuildArg: undefined }],
        },
      ],
    });
    // Builds on dep's last stage: wants the image, not its config digest.
    const child = image('child', { base: { kind: 'image', image: 'dep', via: 'fromImage' } });
    for (const images of [
      [dep, app, child],
      [dep, child, app],
    ]) {
      const plan = planBuild(config(images), { repository: 'reg.local/x' });
      const depDigest = plan.images.find((i) => i.name === 'dep')!.stages[0]!.digest!;
      const childFrom = plan.images.find((i) => i.name === 'child')!.stages[0]!;
      expect(childFrom.buildWaitsFor).toEqual([expect.objectContaining({ digest: depDigest })]);
      expect(childFrom.buildWaitsFor[0]).not.toHaveProperty('withConfig');
      const asked = plan.needs.filter((n) => n.kind === 'stageImage' && n.digest === depDigest);
      expect(asked).toEqual([expect.objectContaining({ withConfig: true })]);
    }
  });

  it('asks for no config digest when no dependency imports an ImageID', () => {
    const cfg = config([
      image('dep', { final: false }),
      image('app', {
        dependencies: [
          {
            image: 'dep',
            slot: 'beforeInstall',
            imports: [{ type: 'ImageDigest', targetEnv: 'DEP_DIGEST', targetBuildArg: undefined }],
          },
        ],
      }),
    ]);
    const plan = planBuild(cfg, { repository: 'reg.local/x' });
    const stageNeeds = plan.needs.filter((n) => n.kind === 'stageImage');
    expect(stageNeeds.length).toBeGreaterThan(0);
    expect(stageNeeds.some((n) => 'withConfig' in n)).toBe(false);
  });
});
