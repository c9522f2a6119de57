import { describe, expect, it } from 'vitest';
import type { Need } from '../../../src/plan/facts.js';
import { h256 } from '../../../src/plan/hash.js';
import type { GitMapping, ImageSpec, StapelImage, WerfConfig } from '../../../src/werf/model.js';
import {
  config,
  docker,
  image,
  imageSpec,
  importFrom,
  localGit,
  remoteGit,
  shell,
} from './model-builders.js';
import { defaultGitContent, digests, planWithWorld, stageNames, type World } from './world.js';

// Changing any single input changes exactly the stages werf would rebuild:
// the first stage that reads the input, every later stage of that image, and
// the images built FROM it; nothing else (an importer only rebuilds when the
// imported files change, pitfall 9). Every field of every directive is
// listed, and a guard below fails when the model grows a field this table
// does not cover.

/** Every imageSpec field set to a non-default value where it has one, so a change to any is seen. */
function fullImageSpec(): ImageSpec {
  return imageSpec({
    author: 'team',
    config: {
      labels: { a: '1' },
      env: { E: '1' },
      volumes: ['/v'],
      expose: ['80'],
      user: 'app',
      cmd: ['run'],
      entrypoint: ['/bin/app'],
      workingDir: '/w',
      stopSignal: 'SIGTERM',
      healthcheck: { test: ['CMD', 'true'], interval: 30, timeout: 5, startPeriod: 0, retries: 3 },
    },
  });
}

function baseConfig(): WerfConfig {
  return config([
    image('src', { final: false, shell: shell({ install: ['mkdir /out'], setup: ['touch /out/s'] }) }),
    image('dep', { final: false }),
    image('app', {
      mount: [{ to: '/tmp_dir', type: 'tmp_dir', fromPath: undefined }],
      git: [
        localGit({
          add: '/src',
          to: '/app',
          owner: 'app',
          group: 'app',
          includePaths: ['**/*'],
          excludePaths: ['*.md'],
          stageDependencies: { install: ['package.json'], beforeSetup: ['conf'], setup: ['**/*.js'] },
        }),
        remoteGit('https://example.com/org/lib.git', { commit: 'abc123', to: '/lib' }),
      ],
      shell: shell({
        beforeInstall: ['apk add x'],
        install: ['npm ci'],
        beforeSetup: ['echo bs'],
        setup: ['npm run build'],
      }),
      import: [importFrom('src', { slot: 'afterInstall', add: '/out', to: '/in', includePaths: ['*'] })],
      dependencies: [
        {
          image: 'dep',
          slot: 'beforeSetup',
          imports: [{ type: 'ImageName', targetEnv: 'DEP', targetBuildArg: undefined }],
        },
      ],
      docker: docker({
        volume: ['/data'],
        expose: ['8080'],
        env: { A: '1' },
        label: { l: 'v' },
        entrypoint: '["/bin/app"]',
        cmd: '["serve"]',
        workdir: '/app',
        user: 'app',
        healthcheck: 'CMD true',
      }),
    }),
    image('spec', { imageSpec: fullImageSpec() }),
    image('child', { base: { kind: 'image', image: 'app', via: 'fromImage' } }),
  ]);
}

const img = (c: WerfConfig, name: string): StapelImage => c.images.find((i) => i.name === name)!;
const git = (c: WerfConfig, i = 0): GitMapping => img(c, 'app').git[i]!;

interface Case {
  field: string;
  mutate: (c: WerfConfig) => void;
  /** `image/stage` where rebuilding starts; later stages of that image follow. */
  rebuilds: string[];
  world?: World;
}

const appAll = ['app/from', 'child/from'];
const cases: Case[] = [
  // image level
  {
    field: 'image.base',
    mutate: (c) => {
      img(c, 'app').base = { kind: 'external', reference: 'alpine:3.21' };
    },
    rebuilds: appAll,
  },
  {
    field: 'image.base scratch',
    mutate: (c) => {
      img(c, 'dep').base = { kind: 'scratch' };
    },
    rebuilds: ['dep/from', 'app/dependenciesBeforeSetup', 'child/from'],
  },
  {
    field: 'image.fromCacheVersion',
    mutate: (c) => {
      img(c, 'app').fromCacheVersion = '2';
    },
    rebuilds: appAll,
  },
  {
    field: 'image.effectiveCacheVersion',
    mutate: (c) => {
      img(c, 'app').effectiveCacheVersion = '2';
    },
    rebuilds: appAll,
  },
  {
    field: 'image.gitAfterPatch',
    mutate: (c) => {
      img(c, 'app').gitAfterPatch = false;
    },
    rebuilds: ['app/dockerInstructions', 'child/from'],
  },
  {
    field: 'image.platform',
    mutate: (c) => {
      img(c, 'app').platform = ['linux/arm64'];
    },
    rebuilds: appAll,
  },
  {
    field: 'image.final',
    mutate: (c) => {
      img(c, 'app').final = false;
    },
    rebuilds: [],
  },
  {
    field: 'mount.to',
    mutate: (c) => {
      img(c, 'app').mount[0]!.to = '/other';
    },
    rebuilds: appAll,
  },
  {
    field: 'mount.type',
    mutate: (c) => {
      img(c, 'app').mount[0]!.type = 'build_dir';
    },
    rebuilds: appAll,
  },
  // shell
  ...(['beforeInstall', 'install', 'beforeSetup', 'setup'] as const).flatMap((stage): Case[] => [
    {
      field: `shell.${stage}`,
      mutate: (c) => void img(c, 'app').shell![stage].push('true'),
      rebuilds: [`app/${stage}`, 'child/from'],
    },
    {
      field: `shell.${stage}CacheVersion`,
      mutate: (c) => {
        img(c, 'app').shell![`${stage}CacheVersion`] = '9';
      },
      rebuilds: [`app/${stage}`, 'child/from'],
    },
  ]),
  {
    field: 'shell.cacheVersion',
    mutate: (c) => {
      img(c, 'app').shell!.cacheVersion = '9';
    },
    rebuilds: ['app/beforeInstall', 'child/from'],
  },
  // git mapping parameters: werf's paramsHash, in gitArchive
  ...(['add', 'to', 'owner', 'group'] as const).map(
    (field): Case => ({
      field: `git.${field}`,
      mutate: (c) => {
        git(c)[field] = '/changed';
      },
      rebuilds: ['app/gitArchive', 'child/from'],
    }),
  ),
  {
    field: 'git.includePaths',
    mutate: (c) => void git(c).includePaths.push('x'),
    rebuilds: ['app/gitArchive', 'child/from'],
  },
  {
    field: 'git.excludePaths',
    mutate: (c) => void git(c).excludePaths.push('x'),
    rebuilds: ['app/gitArchive', 'child/from'],
  },
  // stageDependencies decide which stage copies which files: the archive's share changes first
  ...(['install', 'beforeSetup', 'setup'] as const).map(
    (stage): Case => ({
      field: `git.stageDependencies.${stage}`,
      mutate: (c) => void git(c).stageDependencies[stage].push('x'),
      rebuilds: ['app/gitArchive', 'child/from'],
    }),
  ),
  ...(['branch', 'tag'] as const).map(
    (field): Case => ({
      field: `git.${field}`,
      mutate: (c) => {
        const m = git(c, 1);
        if (m.kind !== 'remote') throw new Error('remote expected');
        m.commit = undefined;
        m[field] = 'main';
      },
      rebuilds: ['app/gitArchive', 'child/from'],
    }),
  ),
  {
    field: 'git.commit',
    mutate: (c) => {
      const m = git(c, 1);
      if (m.kind === 'remote') m.commit = 'def456';
    },
    // The same content at another commit: paramsHash holds the commit (werf §4.5).
    rebuilds: ['app/gitArchive', 'child/from'],
  },
  {
    field: 'git.url',
    mutate: (c) => {
      const m = git(c, 1);
      if (m.kind === 'remote') m.url = 'https://example.com/org/other.git';
    },
    rebuilds: ['app/gitArchive', 'child/from'],
  },
  // git content: which stage's share a changed file belongs to decides the rebuild
  ...(
    [
      ['a mapped file no stage depends on', [], 'app/gitArchive'],
      ['a file install depends on', ['package.json'], 'app/install'],
      ['a file beforeSetup depends on', ['conf'], 'app/beforeSetup'],
      ['a file only setup depends on', ['**/*.js'], 'app/setup'],
    ] as const
  ).map(
    ([what, select, first]): Case => ({
      field: `git content: ${what}`,
      mutate: () => {},
      world: {
        gitContent: (need: Extract<Need, { kind: 'gitContent' }>) =>
          need.add === '/src' && JSON.stringify(need.selectPaths) === JSON.stringify(select)
            ? h256('edited')
            : defaultGitContent(need),
      },
      rebuilds: [first, 'child/from'],
    }),
  ),
  // import
  {
    field: 'import.source',
    mutate: (c) => {
      img(c, 'app').import[0]!.source = { kind: 'external', reference: 'busybox:1.36', via: 'from' };
    },
    rebuilds: ['app/dependenciesAfterInstall', 'child/from'],
  },
  {
    field: 'import.stage',
    mutate: (c) => {
      img(c, 'app').import[0]!.stage = 'install';
    },
    rebuilds: ['app/dependenciesAfterInstall', 'child/from'],
  },
  // Moving an import or dependency removes its stage: the stage after the old slot rebuilds first.
  {
    field: 'import.slot',
    mutate: (c) => {
      img(c, 'app').import[0]!.slot = 'afterSetup';
    },
    rebuilds: ['app/beforeSetup', 'child/from'],
  },
  ...(['add', 'to', 'owner', 'group'] as const).map(
    (field): Case => ({
      field: `import.${field}`,
      mutate: (c) => {
        img(c, 'app').import[0]![field] = '/changed';
      },
      rebuilds: ['app/dependenciesAfterInstall', 'child/from'],
    }),
  ),
  {
    field: 'import.includePaths',
    mutate: (c) => void img(c, 'app').import[0]!.includePaths.push('x'),
    rebuilds: ['app/dependenciesAfterInstall', 'child/from'],
  },
  {
    field: 'import.excludePaths',
    mutate: (c) => void img(c, 'app').import[0]!.excludePaths.push('x'),
    rebuilds: ['app/dependenciesAfterInstall', 'child/from'],
  },
  {
    field: 'import: source rebuilt, same files (pitfall 9)',
    mutate: (c) => {
      img(c, 'src').fromCacheVersion = '2';
    },
    rebuilds: ['src/from'],
  },
  {
    field: 'import: imported files changed',
    mutate: () => {},
    world: { importFiles: () => h256('other files') },
    rebuilds: ['app/dependenciesAfterInstall', 'child/from'],
  },
  // dependencies
  {
    field: 'dependencies.image',
    mutate: (c) => {
      img(c, 'app').dependencies[0]!.image = 'src';
    },
    rebuilds: ['app/dependenciesBeforeSetup', 'child/from'],
  },
  {
    field: 'dependencies: the dependency rebuilt',
    mutate: (c) => {
      img(c, 'dep').fromCacheVersion = '2';
    },
    rebuilds: ['dep/from', 'app/dependenciesBeforeSetup', 'child/from'],
  },
  {
    field: 'dependencies.slot',
    mutate: (c) => {
      img(c, 'app').dependencies[0]!.slot = 'afterSetup';
    },
    rebuilds: ['app/setup', 'child/from'],
  },
  {
    field: 'dependencies.imports.type',
    mutate: (c) => {
      img(c, 'app').dependencies[0]!.imports[0]!.type = 'ImageTag';
    },
    rebuilds: ['app/dependenciesBeforeSetup', 'child/from'],
  },
  {
    field: 'dependencies.imports.targetEnv',
    mutate: (c) => {
      img(c, 'app').dependencies[0]!.imports[0]!.targetEnv = 'OTHER';
    },
    rebuilds: ['app/dependenciesBeforeSetup', 'child/from'],
  },
  { field: 'dependencies.imports.targetBuildArg', mutate: () => {}, rebuilds: [] },
  // docker: metadata only
  ...(
    [
      ['volume', (d) => void d.volume.push('/more')],
      ['expose', (d) => void d.expose.push('9090')],
      [
        'env',
        (d) => {
          d.env.B = '2';
        },
      ],
      [
        'label',
        (d) => {
          d.label.m = 'w';
        },
      ],
      [
        'entrypoint',
        (d) => {
          d.entrypoint = '["/bin/other"]';
        },
      ],
      [
        'cmd',
        (d) => {
          d.cmd = '["other"]';
        },
      ],
      [
        'workdir',
        (d) => {
          d.workdir = '/other';
        },
      ],
      [
        'user',
        (d) => {
          d.user = 'root';
        },
      ],
      [
        'healthcheck',
        (d) => {
          d.healthcheck = 'CMD false';
        },
      ],
      [
        'exactValues',
        (d) => {
          d.exactValues = true;
        },
      ],
    ] as const satisfies readonly (readonly [string, (d: NonNullable<StapelImage['docker']>) => void])[]
  ).map(
    ([field, change]): Case => ({
      field: `docker.${field}`,
      mutate: (c) => change(img(c, 'app').docker!),
      rebuilds: ['app/dockerInstructions', 'child/from'],
    }),
  ),
  // imageSpec: metadata only
  ...(
    [
      [
        'author',
        (s) => {
          s.author = 'other';
        },
      ],
      [
        'config.labels',
        (s) => {
          s.config.labels.b = '2';
        },
      ],
      [
        'config.env',
        (s) => {
          s.config.env.F = '2';
        },
      ],
      ['config.volumes', (s) => void s.config.volumes.push('/w2')],
      ['config.expose', (s) => void s.config.expose.push('81')],
      [
        'config.user',
        (s) => {
          s.config.user = 'root';
        },
      ],
      ['config.cmd', (s) => void s.config.cmd.push('x')],
      ['config.entrypoint', (s) => void s.config.entrypoint.push('x')],
      [
        'config.workingDir',
        (s) => {
          s.config.workingDir = '/x';
        },
      ],
      [
        'config.stopSignal',
        (s) => {
          s.config.stopSignal = 'SIGINT';
        },
      ],
      [
        'config.healthcheck',
        (s) => {
          s.config.healthcheck!.retries = 4;
        },
      ],
      [
        'config.keepEssentialWerfLabels',
        (s) => {
          s.config.keepEssentialWerfLabels = true;
        },
      ],
      [
        'config.clearCmd',
        (s) => {
          s.config.clearCmd = true;
        },
      ],
      [
        'config.clearEntrypoint',
        (s) => {
          s.config.clearEntrypoint = true;
        },
      ],
      [
        'config.clearUser',
        (s) => {
          s.config.clearUser = true;
        },
      ],
      [
        'config.clearWorkingDir',
        (s) => {
          s.config.clearWorkingDir = true;
        },
      ],
    ] as const satisfies readonly (readonly [string, (s: ImageSpec) => void])[]
  ).map(
    ([field, change]): Case => ({
      field: `imageSpec.${field}`,
      mutate: (c) => change(img(c, 'spec').imageSpec!),
      rebuilds: ['spec/imageSpec'],
    }),
  ),
  // werf does not hash clearWerfLabels (§4.3), so changing it rebuilds nothing
  {
    field: 'imageSpec.config.clearWerfLabels',
    mutate: (c) => {
      img(c, 'spec').imageSpec!.config.clearWerfLabels = true;
    },
    rebuilds: [],
  },
];

/** The stages at or after each start, in the changed config's stage order. */
function expectedChanges(plan: ReturnType<typeof planWithWorld>, starts: readonly string[]): string[] {
  const out: string[] = [];
  for (const image of plan.images) {
    const names = stageNames(plan, image.name);
    const start = starts
      .filter((s) => s.startsWith(`${image.name}/`))
      .map((s) => names.indexOf(s.slice(image.name.length + 1)))
      .filter((i) => i >= 0);
    if (start.length === 0) continue;
    for (const name of names.slice(Math.min(...start))) out.push(`${image.name}/${name}`);
  }
  return out.sort();
}

describe('changing one input rebuilds exactly what werf rebuilds', () => {
  const before = digests(planWithWorld(baseConfig()));

  it('plans every stage of the base config', () => {
    expect(before.size).toBe(16);
  });

  for (const c of cases) {
    it(c.field, () => {
      const cfg = baseConfig();
      c.mutate(cfg);
      const plan = planWithWorld(cfg, {}, c.world);
      expect(plan.errors).toEqual([]);
      const after = digests(plan);
      const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
      expect(changed).toEqual(expectedChanges(plan, c.rebuilds));
      expect(plan.images.every((i) => i.stages.every((s) => s.status === 'ready'))).toBe(true);
    });
  }

  it('covers every field of every directive the model has', () => {
    const covered = new Set(cases.map((c) => c.field.split(/[ :]/)[0]!));
    const expected = [
      ...['base', 'fromCacheVersion', 'effectiveCacheVersion', 'gitAfterPatch', 'platform', 'final'].map(
        (f) => `image.${f}`,
      ),
      ...Object.keys(img(baseConfig(), 'app').mount[0]!)
        .filter((k) => k !== 'fromPath')
        .map((k) => `mount.${k}`),
      ...Object.keys(shell()).map((k) => `shell.${k}`),
      ...Object.keys(git(baseConfig(), 1))
        .filter((k) => !['kind', 'basicAuth', 'implicitExcludePaths', 'stageDependencies'].includes(k))
        .map((k) => `git.${k}`),
      ...['install', 'beforeSetup', 'setup'].map((k) => `git.stageDependencies.${k}`),
      ...Object.keys(importFrom('x'))
        .filter((k) => !['toHadTrailingSlash', 'implicitExcludePaths'].includes(k))
        .map((k) => `import.${k}`),
      ...['image', 'slot', 'imports.type', 'imports.targetEnv', 'imports.targetBuildArg'].map(
        (k) => `dependencies.${k}`,
      ),
      ...Object.keys(docker()).map((k) => `docker.${k}`),
      'imageSpec.author',
      ...Object.keys(fullImageSpec().config)
        .filter((k) => !['removeLabels', 'removeEnv', 'removeVolumes'].includes(k))
        .map((k) => `imageSpec.config.${k}`),
    ];
    expect(expected.filter((f) => !covered.has(f))).toEqual([]);
  });
});
