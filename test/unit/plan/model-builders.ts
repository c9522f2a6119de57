import type {
  DockerInstructions,
  GitMapping,
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

export function localGit(fields: Partial<Extract<GitMapping, { kind: 'local' }>> = {}): GitMapping {
  return {
    kind: 'local',
    add: '/',
    to: '/app',
    owner: '',
    group: '',
    includePaths: [],
    excludePaths: [],
    implicitExcludePaths: [],
    stageDependencies: { install: [], beforeSetup: [], setup: [] },
    ...fields,
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
