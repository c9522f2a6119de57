import type { ImageSpec, MetaConfig, MetaImageSpec } from '../model.js';
import type { Diagnostics, DocumentScope } from './diagnostics.js';
import type { RawDocument } from './documents.js';
import type { RawMeta } from './schema.js';

// The meta document (werf-stapel.md §1.2, rule 1) and the merge of its
// `build.imageSpec` into final images.

const PROJECT_NAME = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

export function checkMeta(
  metas: { doc: RawDocument; meta: RawMeta | undefined }[],
  diagnostics: Diagnostics,
  text: string,
): MetaConfig | undefined {
  // Rule 1.
  if (metas.length === 0) {
    diagnostics.fileError(
      'the meta document is missing: add a first document with "project: NAME" and "configVersion: 1", followed by "---"',
      Math.max(0, text.search(/\S/)),
    );
    return undefined;
  }
  for (const extra of metas.slice(1)) {
    diagnostics.error(
      { doc: extra.doc, imageName: undefined },
      [],
      `duplicate meta document: document ${(metas[0]?.doc.index ?? 0) + 1} is already the meta document`,
    );
  }
  const first = metas[0] as { doc: RawDocument; meta: RawMeta | undefined };
  const raw = first.meta;
  if (!raw) return undefined;
  const scope: DocumentScope = { doc: first.doc, imageName: undefined };
  if (raw.configVersion === undefined)
    diagnostics.error(scope, [], 'the meta document needs "configVersion: 1"', 'rule', 'value', [
      'configVersion',
    ]);
  else if (raw.configVersion !== 1)
    diagnostics.error(scope, ['configVersion'], `"configVersion" must be 1, got ${raw.configVersion}`);
  const project = raw.project ?? '';
  if (project === '')
    diagnostics.error(
      scope,
      raw.project === undefined ? [] : ['project'],
      'the meta document needs "project": the project name (lowercase letters, digits and "-")',
      'rule',
      'value',
      ['project'],
    );
  else if (!PROJECT_NAME.test(project) || project.length > 50) {
    diagnostics.error(
      scope,
      ['project'],
      `"project" must be at most 50 characters of lowercase letters, digits and "-", starting and ending with a letter or digit; got ${JSON.stringify(project)}`,
    );
  }
  for (const field of ['helmChartDir', 'helmRelease', 'namespace'] as const) {
    if (raw.deploy?.[field] === '')
      diagnostics.error(
        scope,
        ['deploy', field],
        `"deploy.${field}" cannot be empty; remove it to use the default`,
      );
  }
  const b = raw.build ?? {};
  const metaImageSpec: MetaImageSpec | undefined = b.imageSpec && {
    author: b.imageSpec.author ?? '',
    clearHistory: b.imageSpec.clearHistory ?? false,
    config: {
      labels: b.imageSpec.config?.labels ?? {},
      removeLabels: b.imageSpec.config?.removeLabels ?? [],
      keepEssentialWerfLabels: b.imageSpec.config?.keepEssentialWerfLabels ?? false,
      clearWerfLabels: b.imageSpec.config?.clearWerfLabels ?? false,
    },
  };
  const gw = raw.gitWorktree;
  return {
    configVersion: 1,
    project,
    build: {
      cacheVersion: b.cacheVersion ?? '',
      platform: b.platform ?? [],
      staged: b.staged ?? false,
      imageSpec: metaImageSpec,
    },
    deploy: raw.deploy as Record<string, unknown> | undefined,
    cleanup: raw.cleanup,
    gitWorktree: gw && {
      forceShallowClone: gw.forceShallowClone ?? false,
      allowUnshallow: gw.allowUnshallow ?? false,
      allowFetchOriginBranchesAndTags: gw.allowFetchOriginBranchesAndTags ?? false,
    },
  };
}

/** werf's merge of meta `build.imageSpec` into a final image's imageSpec (§1.2). */
export function mergeMetaImageSpec(own: ImageSpec | undefined, meta: MetaImageSpec): ImageSpec {
  const base: ImageSpec = own ?? {
    author: '',
    clearHistory: false,
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
    },
  };
  return {
    ...base,
    author: meta.author !== '' ? meta.author : base.author,
    clearHistory: base.clearHistory || meta.clearHistory,
    config: {
      ...base.config,
      labels: { ...base.config.labels, ...meta.config.labels },
      removeLabels: [
        ...base.config.removeLabels,
        ...meta.config.removeLabels.filter((l) => !base.config.removeLabels.includes(l)),
      ],
      keepEssentialWerfLabels: base.config.keepEssentialWerfLabels || meta.config.keepEssentialWerfLabels,
    },
  };
}
