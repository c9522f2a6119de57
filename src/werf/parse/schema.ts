import { z } from 'zod';
import {
  bool,
  int,
  listOf,
  oneOf,
  strict,
  text,
  textList,
  textMap,
  textOrEmpty,
  textOrList,
} from './fields.js';
import { describeRaw, YamlScalar } from './yaml-scalar.js';

// The shape of each werf.yaml document kind (werf-stapel.md §1.2, §1.3, §2),
// checked field by field. Only types, known keys and value sets are checked
// here; rules between fields (exactly one of, required, absolute paths...) are
// in the builders, where they can name werf's rule and point at the field.

const o = <T extends z.ZodType>(schema: T) => schema.optional();

// ---------------------------------------------------------------- shared parts

export const secretSourceShape = { env: o(text), src: o(text), value: o(text) };

export const secretSchema = strict({ id: o(text), ...secretSourceShape }, 'secret');

export const healthcheckSchema = strict(
  { test: o(textList), interval: o(int), timeout: o(int), startPeriod: o(int), retries: o(int) },
  'imageSpec healthcheck',
);

export const imageSpecConfigSchema = strict(
  {
    labels: o(textMap),
    removeLabels: o(textList),
    env: o(textMap),
    removeEnv: o(textList),
    volumes: o(textList),
    removeVolumes: o(textList),
    expose: o(textList),
    user: o(text),
    cmd: o(textList),
    entrypoint: o(textList),
    workingDir: o(text),
    stopSignal: o(text),
    healthcheck: o(healthcheckSchema),
    keepEssentialWerfLabels: o(bool),
    clearWerfLabels: o(bool),
    clearCmd: o(bool),
    clearEntrypoint: o(bool),
    clearUser: o(bool),
    clearWorkingDir: o(bool),
  },
  'imageSpec config',
);

export const imageSpecSchema = strict(
  { author: o(text), clearHistory: o(bool), config: o(imageSpecConfigSchema) },
  'imageSpec',
);

export const dependencyImportSchema = strict(
  {
    type: o(oneOf(['ImageName', 'ImageTag', 'ImageRepo', 'ImageID', 'ImageDigest'] as const)),
    targetEnv: o(text),
    targetBuildArg: o(text),
  },
  'dependency import',
);

export const dependencySchema = strict(
  {
    image: o(text),
    before: o(oneOf(['install', 'setup'] as const)),
    after: o(oneOf(['install', 'setup'] as const)),
    imports: o(listOf(dependencyImportSchema, 'dependency imports')),
  },
  'dependency',
);

// ---------------------------------------------------------------- meta

export const metaSchema = strict(
  {
    configVersion: o(int),
    project: o(text),
    build: o(
      strict(
        {
          cacheVersion: o(text),
          platform: o(textList),
          staged: o(bool),
          imageSpec: o(
            strict(
              {
                author: o(text),
                clearHistory: o(bool),
                config: o(
                  strict(
                    {
                      labels: o(textMap),
                      removeLabels: o(textList),
                      keepEssentialWerfLabels: o(bool),
                      clearWerfLabels: o(bool),
                    },
                    'meta build.imageSpec.config (only labels, removeLabels, keepEssentialWerfLabels, clearWerfLabels)',
                  ),
                ),
              },
              'meta build.imageSpec',
            ),
          ),
        },
        'meta build',
      ),
    ),
    deploy: o(
      strict(
        {
          helmChartDir: o(text),
          helmChartConfig: o(strict({ appVersion: o(text) }, 'meta deploy.helmChartConfig')),
          helmRelease: o(text),
          helmReleaseSlug: o(bool),
          namespace: o(text),
          namespaceSlug: o(bool),
        },
        'meta deploy',
      ),
    ),
    // Registry cleanup policies: not used by the builder, accepted as any mapping.
    cleanup: o(z.record(z.string(), z.unknown(), { error: () => 'expected a mapping (meta cleanup)' })),
    gitWorktree: o(
      strict(
        { forceShallowClone: o(bool), allowUnshallow: o(bool), allowFetchOriginBranchesAndTags: o(bool) },
        'meta gitWorktree',
      ),
    ),
  },
  'the meta document',
);
export type RawMeta = z.output<typeof metaSchema>;

// ---------------------------------------------------------------- Stapel image

export const gitSchema = strict(
  {
    url: o(text),
    branch: o(text),
    tag: o(text),
    commit: o(text),
    basicAuth: o(
      strict(
        { username: o(text), password: o(strict(secretSourceShape, 'git basicAuth.password')) },
        'git basicAuth',
      ),
    ),
    add: o(text),
    to: o(text),
    owner: o(text),
    group: o(text),
    includePaths: o(textOrList),
    excludePaths: o(textOrList),
    stageDependencies: o(
      strict(
        { install: o(textOrList), beforeSetup: o(textOrList), setup: o(textOrList) },
        'git stageDependencies (only install, beforeSetup and setup)',
      ),
    ),
  },
  'git mapping',
);
export type RawGit = z.output<typeof gitSchema>;

const cacheVersionShape = {
  cacheVersion: o(text),
  beforeInstallCacheVersion: o(text),
  installCacheVersion: o(text),
  beforeSetupCacheVersion: o(text),
  setupCacheVersion: o(text),
};

export const shellSchema = strict(
  {
    beforeInstall: o(textOrList),
    install: o(textOrList),
    beforeSetup: o(textOrList),
    setup: o(textOrList),
    ...cacheVersionShape,
  },
  'shell',
);

const ansibleTasks = o(listOf(z.unknown(), 'Ansible tasks'));
export const ansibleSchema = strict(
  {
    beforeInstall: ansibleTasks,
    install: ansibleTasks,
    beforeSetup: ansibleTasks,
    setup: ansibleTasks,
    ...cacheVersionShape,
  },
  'ansible',
);

export const mountSchema = strict(
  { to: o(text), from: o(oneOf(['tmp_dir', 'build_dir'] as const)), fromPath: o(text) },
  'mount',
);

const commandSchema = z.union([text, textList], {
  error: () => 'expected a string or a list of strings',
});

export const dockerSchema = strict(
  {
    VOLUME: o(textOrList),
    EXPOSE: o(textOrList),
    ENV: o(textMap),
    LABEL: o(textMap),
    ENTRYPOINT: o(commandSchema),
    CMD: o(commandSchema),
    WORKDIR: o(text),
    USER: o(text),
    HEALTHCHECK: o(text),
    exactValues: o(bool),
  },
  'docker',
);

export const importSchema = strict(
  {
    from: o(text),
    image: o(text),
    artifact: o(text),
    stage: o(oneOf(['beforeInstall', 'install', 'beforeSetup', 'setup'] as const)),
    before: o(oneOf(['install', 'setup'] as const)),
    after: o(oneOf(['install', 'setup'] as const)),
    add: o(text),
    to: o(text),
    includePaths: o(textOrList),
    excludePaths: o(textOrList),
    owner: o(text),
    group: o(text),
  },
  'import',
);
export type RawImport = z.output<typeof importSchema>;

/**
 * `image:` is a string, a list of strings or null; `undefined` here means null.
 * werf reads it as a raw YAML value, not a string field: `image: 123` (a
 * number) or `[a, true]` is "invalid image name", unlike the string fields
 * that take any scalar as written.
 */
const quoteHint = 'quote a name that YAML reads as a number or boolean (image: "123")';
const imageNames = z.unknown().transform((v, ctx): string | string[] => {
  if (v === undefined || typeof v === 'string') return v ?? '';
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (typeof item !== 'string')
        ctx.issues.push({
          code: 'custom',
          message: `expected an image name, got ${describeRaw(item)}; ${quoteHint}`,
          path: [i],
          input: item,
        });
    });
    return v as string[];
  }
  ctx.issues.push({
    code: 'custom',
    message: `expected an image name, a list of image names or null, got ${describeRaw(v)}${
      v instanceof YamlScalar ? `; ${quoteHint}` : ''
    }`,
    input: v,
  });
  return z.NEVER;
});

export const stapelImageSchema = strict(
  {
    image: o(imageNames),
    artifact: o(textOrEmpty),
    final: o(bool),
    from: o(text),
    fromImage: o(text),
    fromArtifact: o(text),
    fromLatest: o(bool),
    fromCacheVersion: o(text),
    cacheVersion: o(text),
    disableGitAfterPatch: o(bool),
    git: o(listOf(gitSchema, 'git mappings')),
    shell: o(shellSchema),
    ansible: o(ansibleSchema),
    mount: o(listOf(mountSchema, 'mounts')),
    docker: o(dockerSchema),
    import: o(listOf(importSchema, 'imports')),
    dependencies: o(listOf(dependencySchema, 'dependencies')),
    platform: o(textList),
    network: o(text),
    secrets: o(listOf(secretSchema, 'secrets')),
    imageSpec: o(imageSpecSchema),
  },
  'a Stapel image',
);
export type RawStapelImage = z.output<typeof stapelImageSchema>;

// ---------------------------------------------------------------- Dockerfile image

export const dockerfileImageSchema = strict(
  {
    image: o(imageNames),
    final: o(bool),
    dockerfile: o(text),
    context: o(text),
    contextAddFiles: o(textList),
    target: o(text),
    args: o(textMap),
    addHost: o(textList),
    network: o(text),
    ssh: o(text),
    staged: o(bool),
    platform: o(textList),
    dependencies: o(listOf(dependencySchema, 'dependencies')),
    secrets: o(listOf(secretSchema, 'secrets')),
    imageSpec: o(imageSpecSchema),
    cacheVersion: o(text),
  },
  'a Dockerfile image',
);
export type RawDockerfileImage = z.output<typeof dockerfileImageSchema>;
