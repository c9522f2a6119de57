import type {
  DockerInstructions,
  GitMapping,
  ImageSpec,
  ImageSpecConfig,
  Import,
  Shell,
  StapelImage,
  WerfConfig,
} from '../../../src/werf/model.js';

// Model objects for planner tests that do not go through YAML: every field
// at werf's default, overridden per test.

export function shell(fields: Partial<Shell> = {}): Shell {
  return {
    beforeInstall: [],
    install: [],
    beforeSetup: [],
    setup: [],
    cacheVersion: '',
    beforeInstallCacheVersion: '',
    installCacheVersion: '',
    beforeSetupCacheVersion: '',
    setupCacheVersion: '',
    ...fields,
  };
}

export function docker(fields: Partial<DockerInstructions> = {}): DockerInstructions {
  return {
    volume: [],
    expose: [],
    env: {},
    label: {},
    entrypoint: undefined,
    cmd: undefined,
    workdir: undefined,
    user: undefined,
    healthcheck: undefined,
    exactValues: false,
    ...fields,
  };
}

/** What local and remote git mappings share, at werf's defaults. */
const gitDefaults = {
  add: '/',
  owner: '',
  group: '',
  includePaths: [],
  excludePaths: [],
  implicitExcludePaths: [],
  stageDependencies: { install: [], beforeSetup: [], setup: [] },
};

export function localGit(fields: Partial<Extract<GitMapping, { kind: 'local' }>> = {}): GitMapping {
  return { kind: 'local', ...gitDefaults, to: '/app', ...fields };
}

export function remoteGit(
  url: string,
  fields: Partial<Extract<GitMapping, { kind: 'remote' }>> = {},
): GitMapping {
  return {
    kind: 'remote',
    url,
    branch: undefined,
    tag: undefined,
    commit: undefined,
    basicAuth: undefined,
    ...gitDefaults,
    to: '/app',
    ...fields,
  };
}

/** An imageSpec with every field at its default (what an empty `imageSpec:` parses to). */
export function imageSpec(
  fields: Partial<Omit<ImageSpec, 'config'>> & { config?: Partial<ImageSpecConfig> } = {},
): ImageSpec {
  return {
    author: fields.author ?? '',
    clearHistory: fields.clearHistory ?? false,
    config: {
      labels: {},
      removeLabels: [],
      env: {},
      removeEnv: [],
      volumes: [],
      removeVolumes: [],
      expose: [],
      user: '',
      cmd: [],
      entrypoint: [],
      workingDir: '',
      stopSignal: '',
      healthcheck: undefined,
      keepEssentialWerfLabels: false,
      clearWerfLabels: false,
      clearCmd: false,
      clearEntrypoint: false,
      clearUser: false,
      clearWorkingDir: false,
      ...fields.config,
    },
  };
}

export function importFrom(image: string, fields: Partial<Import> = {}): Import {
  return {
    source: { kind: 'image', image, via: 'from' },
    stage: undefined,
    slot: 'afterInstall',
    add: '/out',
    to: '/out',
    toHadTrailingSlash: false,
    includePaths: [],
    excludePaths: [],
    implicitExcludePaths: [],
    owner: '',
    group: '',
    ...fields,
  };
}

export function image(name: string, fields: Partial<StapelImage> = {}): StapelImage {
  return {
    kind: 'image',
    name,
    docIndex: 0,
    final: true,
    base: { kind: 'external', reference: 'alpine:3.20' },
    fromRaw: { from: 'alpine:3.20' },
    fromLatest: false,
    fromCacheVersion: '',
    cacheVersion: '',
    effectiveCacheVersion: '',
    disableGitAfterPatch: false,
    gitAfterPatch: true,
    git: [],
    shell: undefined,
    ansible: undefined,
    mount: [],
    docker: undefined,
    import: [],
    dependencies: [],
    imageSpec: undefined,
    platform: [],
    network: '',
    secrets: [],
    ...fields,
  };
}

export function config(images: StapelImage[], project = 'demo'): WerfConfig {
  images.forEach((img, i) => {
    img.docIndex = i + 1;
  });
  return {
    fileName: 'werf.yaml',
    meta: {
      configVersion: 1,
      project,
      build: { cacheVersion: '', platform: [], staged: false, imageSpec: undefined },
      deploy: undefined,
      cleanup: undefined,
      gitWorktree: undefined,
    },
    images,
    dockerfileImages: [],
    documents: [
      { index: 0, kind: 'meta', names: [], line: 1, column: 1 },
      ...images.map((img, i) => ({
        index: i + 1,
        kind: img.kind,
        names: [img.name],
        line: 10 * (i + 1),
        column: 1,
      })),
    ],
    sourceMap: { positionOf: () => undefined, fieldPosition: () => undefined },
  };
}
