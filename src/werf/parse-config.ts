import { checkGiterminism, type GiterminismConfig } from './giterminism.js';
import type {
  Dependency,
  DockerfileImage,
  DocumentInfo,
  ImageSpec,
  MetaConfig,
  MetaImageSpec,
  ParseResult,
  Secret,
  StapelImage,
  WerfConfig,
  WerfConfigError,
} from './model.js';
import { autoExcludeOverlaps } from './overlap.js';
import { buildStapelImages } from './parse/build-image.js';
import { buildDependency, buildImageSpec, buildSecret, type PartContext } from './parse/build-parts.js';
import { Diagnostics, type DocumentScope, ModelSourceMap } from './parse/diagnostics.js';
import { LineIndex, type RawDocument, splitWerfDocuments } from './parse/documents.js';
import { dockerfileImageSchema, metaSchema, type RawMeta, stapelImageSchema } from './parse/schema.js';
import { checkShape } from './parse/shape.js';
import { checkReferences } from './references.js';

export interface ParseOptions {
  /** Name used in messages; `werf.yaml` by default. */
  fileName?: string;
  /** What werf-giterminism.yaml allows (rule 12); by default nothing, as in werf. */
  giterminism?: GiterminismConfig;
  /** The platform an image without `platform` is built for (rule 29); `linux/amd64` by default. */
  hostPlatform?: string;
}

const PROJECT_NAME = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

/**
 * Parses a rendered werf.yaml into the model and reports every problem:
 * YAML, shapes, werf's validation rules (werf-stapel.md §2.9) and what this
 * builder does not support. Pure: no files, no network.
 */
export function parseWerfConfig(text: string, options: ParseOptions = {}): ParseResult {
  const fileName = options.fileName ?? 'werf.yaml';
  const lines = new LineIndex(text);
  const diagnostics = new Diagnostics(lines);
  const sourceMap = new ModelSourceMap(diagnostics);
  const { documents: rawDocs, problems } = splitWerfDocuments(text);
  for (const p of problems) diagnostics.yamlError(p.docIndex, p.range, p.message);

  const documents: DocumentInfo[] = [];
  const metas: { doc: RawDocument; meta: RawMeta | undefined }[] = [];
  const images: StapelImage[] = [];
  const dockerfileImages: DockerfileImage[] = [];
  const scopes = new Map<object, DocumentScope>();

  for (const doc of rawDocs) {
    const start = lines.position(doc.range.offset);
    const info: DocumentInfo = {
      index: doc.index,
      kind: 'unknown',
      names: [],
      line: start.line,
      column: start.column,
    };
    documents.push(info);
    if (doc.value === undefined && problems.some((p) => p.docIndex === doc.index)) continue; // YAML already reported
    const value = doc.value;
    const scope: DocumentScope = { doc, imageName: undefined };
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      diagnostics.error(
        scope,
        [],
        'a document must be a mapping: the meta document (configVersion, project), an image (image: NAME) or a Dockerfile image (dockerfile: PATH)',
        'schema',
      );
      continue;
    }
    const fields = value as Record<string, unknown>;
    const has = (k: string) => Object.hasOwn(fields, k);
    if (has('configVersion')) {
      info.kind = 'meta';
      metas.push({ doc, meta: checkShape(metaSchema, fields, scope, diagnostics) });
      continue;
    }
    const names = imageNames(fields);
    scope.imageName = names?.join(', ');
    info.names = names ?? [];
    if (has('dockerfile')) {
      info.kind = 'dockerfile';
      const raw = checkShape(dockerfileImageSchema, fields, scope, diagnostics);
      if (!raw) continue;
      if (!has('image')) {
        diagnostics.error(scope, [], 'a Dockerfile image needs "image": its name', 'rule');
        continue;
      }
      const ctx: PartContext = { scope, diagnostics, sourceMap };
      for (const image of buildDockerfileImages(ctx, raw, info.names)) {
        scopes.set(image, scope);
        dockerfileImages.push(image);
      }
      continue;
    }
    const artifactName =
      typeof fields.artifact === 'string' && fields.artifact !== '' ? fields.artifact : undefined;
    if (!has('image') && !has('artifact')) {
      diagnostics.error(
        scope,
        [],
        'cannot tell what this document is: expected "configVersion" (the meta document), "image" or "artifact" (a Stapel image) or "dockerfile" (a Dockerfile image)',
        'rule',
      );
      continue;
    }
    const raw = checkShape(stapelImageSchema, fields, scope, diagnostics);
    if (!raw) continue;
    // Rule 4: exactly one of image / artifact (`image: ~` counts, an empty artifact does not).
    if (has('image') && artifactName !== undefined) {
      diagnostics.error(
        scope,
        ['artifact'],
        'a document declares "image" or "artifact", not both',
        'rule',
        'key',
      );
      continue;
    }
    if (!has('image') && artifactName === undefined) {
      diagnostics.error(
        scope,
        ['artifact'],
        'an artifact needs a name ("artifact: NAME"); for a nameless image write "image: ~"',
        'rule',
      );
      continue;
    }
    const kind = has('image') ? 'image' : 'artifact';
    info.kind = kind;
    const imageNamesList = kind === 'image' ? (names ?? []) : [artifactName as string];
    info.names = imageNamesList;
    scope.imageName = imageNamesList.join(', ');
    if (imageNamesList.length === 0) {
      diagnostics.error(scope, ['image'], 'the list of image names is empty', 'rule');
      continue;
    }
    const ctx: PartContext = { scope, diagnostics, sourceMap };
    for (const image of buildStapelImages(ctx, raw, kind, imageNamesList)) {
      scopes.set(image, scope);
      images.push(image);
    }
  }

  const meta = checkMeta(metas, diagnostics, text);
  for (const image of images) {
    image.effectiveCacheVersion = image.cacheVersion || meta?.build.cacheVersion || '';
  }
  if (meta?.build.imageSpec) {
    for (const image of [...images, ...dockerfileImages]) {
      if (image.final) image.imageSpec = mergeMetaImageSpec(image.imageSpec, meta.build.imageSpec);
    }
  }
  const scopeOf = (image: StapelImage | DockerfileImage) => scopes.get(image) as DocumentScope;
  checkReferences(images, dockerfileImages, {
    diagnostics,
    sourceMap,
    scopeOf,
    hostPlatform: options.hostPlatform ?? 'linux/amd64',
  });
  // Rule 25 / §2.10, once per document (images sharing a document share their exports' layout).
  const seenDocs = new Set<number>();
  for (const image of images) {
    const exports = [...image.git, ...image.import];
    const conflicts = autoExcludeOverlaps(exports);
    if (seenDocs.has(image.docIndex)) continue;
    seenDocs.add(image.docIndex);
    for (const c of conflicts) {
      const a = exports[c.first] as object;
      const b = exports[c.second] as object;
      const pathA = sourceMap.pathOf(a) ?? [];
      const pathB = sourceMap.pathOf(b) ?? [];
      diagnostics.error(
        scopeOf(image),
        pathB,
        `${describePath(pathB)} and ${describePath(pathA)} both put files at ${JSON.stringify(c.path)}; werf cannot separate them with excludes: give them different "to" or "includePaths"`,
      );
    }
  }
  checkGiterminism(images, dockerfileImages, options.giterminism ?? {}, { diagnostics, sourceMap, scopeOf });

  const config: WerfConfig = { fileName, meta, images, dockerfileImages, documents, sourceMap };
  return { config, errors: sortAndDedupe(diagnostics.errors), warnings: sortAndDedupe(diagnostics.warnings) };
}

function describePath(path: readonly (string | number)[]): string {
  return `${path[0]}[${path[1]}]`;
}

/** `image:` as a list of names; `undefined` when absent or of a wrong type (reported by the schema). */
function imageNames(fields: Record<string, unknown>): string[] | undefined {
  if (!Object.hasOwn(fields, 'image')) return undefined;
  const v = fields.image;
  if (v === undefined || v === null) return [''];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'object' && v !== null && 'source' in v) return [String((v as { source: string }).source)];
  return undefined;
}

function checkMeta(
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

function buildDockerfileImages(
  ctx: PartContext,
  raw: import('./parse/schema.js').RawDockerfileImage,
  names: string[],
): DockerfileImage[] {
  if (raw.dockerfile === undefined || raw.dockerfile === '') {
    ctx.diagnostics.error(ctx.scope, ['dockerfile'], '"dockerfile" needs the path of the Dockerfile');
    return [];
  }
  const dependencies = (raw.dependencies ?? [])
    .map((d, i) => buildDependency(ctx, d, ['dependencies', i], 'dockerfile'))
    .filter((x): x is Dependency => x !== undefined);
  const secrets = (raw.secrets ?? [])
    .map((s, i) => buildSecret(ctx, s, ['secrets', i]))
    .filter((x): x is Secret => x !== undefined);
  const imageSpec = raw.imageSpec && buildImageSpec(ctx, raw.imageSpec, ['imageSpec']);
  return names.map((name) =>
    ctx.sourceMap.register(
      {
        kind: 'dockerfile' as const,
        name,
        docIndex: ctx.scope.doc.index,
        final: raw.final ?? true,
        dockerfile: raw.dockerfile as string,
        context: raw.context ?? '',
        contextAddFiles: raw.contextAddFiles ?? [],
        target: raw.target ?? '',
        args: raw.args ?? {},
        addHost: raw.addHost ?? [],
        network: raw.network ?? '',
        ssh: raw.ssh ?? '',
        staged: raw.staged ?? false,
        platform: raw.platform ?? [],
        dependencies,
        secrets,
        imageSpec,
        cacheVersion: raw.cacheVersion ?? '',
      },
      ctx.scope.doc,
      [],
    ),
  );
}

function sortAndDedupe<T extends Omit<WerfConfigError, 'code'>>(list: T[]): T[] {
  const seen = new Set<string>();
  const out = list.filter((e) => {
    const k = JSON.stringify([e.docIndex, e.path, e.message]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
