import { checkGiterminism, type GiterminismConfig } from './giterminism.js';
import type {
  DockerfileImage,
  DocumentInfo,
  ParseResult,
  StapelImage,
  WerfConfig,
  WerfConfigError,
} from './model.js';
import { autoExcludeOverlaps } from './overlap.js';
import { buildDockerfileImages } from './parse/build-dockerfile.js';
import { buildStapelImages } from './parse/build-image.js';
import { checkMeta, mergeMetaImageSpec } from './parse/build-meta.js';
import { Diagnostics, type DocumentScope, ModelSourceMap } from './parse/diagnostics.js';
import { LineIndex, type RawDocument, splitWerfDocuments } from './parse/documents.js';
import type { PartContext } from './parse/parts-common.js';
import { dockerfileImageSchema, metaSchema, type RawMeta, stapelImageSchema } from './parse/schema.js';
import { checkShape } from './parse/shape.js';
import { YamlScalar } from './parse/yaml-scalar.js';
import { checkReferences } from './references.js';

export interface ParseOptions {
  /** Name used in messages; `werf.yaml` by default. */
  fileName?: string;
  /** What werf-giterminism.yaml allows (rule 12); by default nothing, as in werf. */
  giterminism?: GiterminismConfig;
  /** The platform an image without `platform` is built for (rule 29); `linux/amd64` by default. */
  hostPlatform?: string;
}

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
  for (const p of problems) diagnostics.yamlError(p.docIndex, p.range, p.message, p.path);

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
    // `artifact` is a string field: any scalar counts as written (`artifact: 123` is "123").
    const artifactText = scalarText(fields.artifact);
    const artifactName = artifactText !== undefined && artifactText !== '' ? artifactText : undefined;
    if (!has('image') && artifactName !== undefined) {
      scope.imageName = artifactName;
      scope.artifact = true;
    }
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
    if (kind === 'image' && names === undefined) continue; // a wrong type of "image": reported by the schema
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

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return v instanceof YamlScalar ? v.source : undefined;
}

/** `image:` as a list of names; `undefined` when absent or of a wrong type (reported by the schema). */
function imageNames(fields: Record<string, unknown>): string[] | undefined {
  if (!Object.hasOwn(fields, 'image')) return undefined;
  const v = fields.image;
  if (v === undefined || v === null) return [''];
  if (typeof v === 'string') return [v];
  // Any other item or value is reported by the schema; no name is dropped silently.
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return undefined;
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
