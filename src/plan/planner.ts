import type { GitMapping, StapelImage, WerfConfig, YamlPath } from '../werf/model.js';
import {
  contentDigest,
  dependenciesStageDeps,
  dockerInstructionsDeps,
  fromDeps,
  gitArchiveDeps,
  gitParamsHash,
  imageSpecDeps,
  nextDeps,
  type SlotDependencyDigestInput,
  type SlotImportDigestInput,
  stageDigest,
  userStageDeps,
} from './checksums.js';
import { DockerfileValueError, plainValue } from './dockerfile-syntax.js';
import {
  externalImageKey,
  type GitRefSpec,
  type GitSelection,
  gitCommitKey,
  gitContentKey,
  type ImportSourceRef,
  importChecksumKey,
  type Need,
  type PlanFacts,
  type StageImageFact,
  stageImageKey,
} from './facts.js';
import { EMPTY_GIT_CONTENT } from './git-content.js';
import { buildImageGraph, type ImageEdge } from './graph.js';
import { workspaceEntryName } from './import-copy.js';
import { dockerInstructionLines, imageSpecLines, MetadataError } from './metadata-instructions.js';
import type { PrepareSpec } from './prepare-spec.js';
import {
  prepareSpecFor,
  type RecipeBase,
  type RecipeEnv,
  type RecipeGit,
  type RecipeImport,
  recipeStageInputs,
  type StageRecipe,
} from './recipe.js';
import type { StageName } from './stage-names.js';
import { importSourceStage, type StageGitPart, type StageSpec, stageList } from './stages.js';

// The planner. `compilePlan` does everything that depends on the config and
// the request only (stage lists, graph, static digest inputs, validation of
// what a Dockerfile can carry); the reconciler caches it per generation.
// `evaluatePlan` then walks the images in dependency order and, with the
// facts known so far, gives every stage either its digest (and, when the
// stage images it reads exist, its build recipe) or the facts it waits for.
// Both are pure; `planBuild` is the two in one call.

export interface PlanRequest {
  /** Final images to plan (with everything they need); default: every final image. */
  images?: readonly string[];
  /** Registry repository holding stage images (`<repository>:<stage digest>`); needed for build recipes. */
  repository?: string;
  /** Target platform; default: the image's single `platform`, else werf's default (linux/amd64). */
  platform?: string;
  /** The project repository that local git mappings read: URL and the resolved commit, or a revision to resolve. */
  git?: { url: string; commit?: string; revision?: string };
  /** Registries reached over plain HTTP, copied into prepare specs. */
  insecureRegistries?: readonly string[];
}

export interface PlanProblem {
  /** Image the problem belongs to; undefined for request-level problems. */
  image: string | undefined;
  docIndex: number;
  /** YAML path inside the image's document, e.g. `import[1].from`. */
  path: YamlPath;
  line: number;
  column: number;
  message: string;
}

export interface StageRef {
  image: string;
  stage: StageName;
}

export interface PlannedStage {
  image: string;
  name: StageName;
  /** `ready`: the digest is known. `waiting`: facts (`waitsFor`) or other stages (`blockedBy`) are missing. */
  status: 'ready' | 'waiting';
  digest?: string;
  contentDigest?: string;
  /** Facts this stage's own digest inputs need. */
  waitsFor: Need[];
  /** Stages whose digest must be known first (the previous stage, a base image, an import source). */
  blockedBy: StageRef[];
  /** The stage image, when the caller found it in the registry. */
  stored?: StageImageFact;
  /** Build recipe; present once the digest is known. */
  recipe?: StageRecipe;
  /** Stage images the build reads that do not exist yet (only for stages not stored). */
  buildWaitsFor: Need[];
  /** What the build pod runs; present when the stage is not stored and every input exists. */
  prepareSpec?: PrepareSpec;
}

export interface PlannedImage {
  name: string;
  final: boolean;
  /** Named by the request (or, without `images`, a final image). */
  requested: boolean;
  /** Images this one needs first. */
  needs: { image: string; kind: ImageEdge['kind'] }[];
  stages: PlannedStage[];
  /** Digest of the last stage, i.e. the image itself, once known. */
  digest?: string;
}

export interface Plan {
  project: string;
  platform: string | undefined;
  /** Dependencies before dependants. */
  images: PlannedImage[];
  errors: PlanProblem[];
  warnings: PlanProblem[];
  /** Every missing fact, once (by kind and key). */
  needs: Need[];
}

interface CompiledImage {
  image: StapelImage;
  stages: StageSpec[];
  mountTargets: string[];
  /** Static digest inputs and instructions of the metadata stages. */
  dockerDeps?: string;
  dockerLines?: string[];
  imageSpecDeps?: string;
  imageSpecLines?: string[];
  paramsHashes: string[];
}

export interface CompiledPlan {
  project: string;
  platform: string | undefined;
  request: PlanRequest;
  order: string[];
  targets: ReadonlySet<string>;
  edges: ImageEdge[];
  images: ReadonlyMap<string, CompiledImage>;
  errors: PlanProblem[];
  warnings: PlanProblem[];
}

function locate(
  config: WerfConfig,
  image: StapelImage | undefined,
  path: YamlPath,
  message: string,
): PlanProblem {
  let object: unknown = image;
  for (const part of path.slice(0, -1)) {
    const next: unknown =
      object && typeof object === 'object' ? (object as Record<string, unknown>)[part] : undefined;
    if (!next || typeof next !== 'object') break;
    object = next;
  }
  const last = path[path.length - 1];
  const position =
    (object && typeof object === 'object' && typeof last === 'string'
      ? config.sourceMap.fieldPosition(object, last)
      : undefined) ??
    (object && typeof object === 'object' ? config.sourceMap.positionOf(object) : undefined) ??
    (image ? config.sourceMap.positionOf(image) : undefined);
  const doc = image ? config.documents[image.docIndex] : undefined;
  return {
    image: image?.name,
    docIndex: image?.docIndex ?? -1,
    path,
    line: position?.line ?? doc?.line ?? 0,
    column: position?.column ?? doc?.column ?? 0,
    message,
  };
}

/** Reads a path like `import[1].from` back into YAML path parts. */
function parsePath(path: string): YamlPath {
  return path
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function chooseImagePlatform(image: StapelImage, request: PlanRequest): string | undefined {
  return request.platform ?? (image.platform.length === 1 ? image.platform[0] : undefined);
}

/** Checks what the Dockerfile of each stage must carry; collects problems instead of throwing. */
function compileImage(
  config: WerfConfig,
  image: StapelImage,
  errors: PlanProblem[],
  warnings: PlanProblem[],
): CompiledImage | undefined {
  const before = errors.length;
  const fail = (path: YamlPath, message: string) => errors.push(locate(config, image, path, message));
  image.mount.forEach((mount, i) => {
    if (mount.type === 'custom_dir') {
      fail(
        ['mount', i, 'fromPath'],
        'mount fromPath (a host directory) is not supported: build pods have no host paths',
      );
    }
  });
  if (image.ansible) fail(['ansible'], 'ansible is not supported by this builder; use shell');
  if (image.fromLatest) {
    fail(['fromLatest'], 'fromLatest is not supported: pin the base image by tag or digest instead');
  }
  if (image.secrets.length > 0) {
    fail(
      ['secrets'],
      'build secrets are not supported by this builder yet; the build pods would not receive them',
    );
  }
  if (image.network !== '') {
    warnings.push(
      locate(config, image, ['network'], 'network is ignored: build pods use the cluster network'),
    );
  }
  const checkPlain = (path: YamlPath, value: string, what: string) => {
    if (value === '') return;
    try {
      plainValue(value, what);
    } catch (err) {
      if (err instanceof DockerfileValueError) fail(path, err.message);
      else throw err;
    }
  };
  image.import.forEach((imp, i) => {
    checkPlain(['import', i, 'to'], imp.to, 'COPY destination');
    checkPlain(['import', i, 'owner'], imp.owner, 'COPY owner');
    checkPlain(['import', i, 'group'], imp.group, 'COPY group');
  });
  image.git.forEach((m, i) => {
    checkPlain(['git', i, 'to'], m.to, 'COPY destination');
    checkPlain(['git', i, 'owner'], m.owner, 'COPY owner');
    checkPlain(['git', i, 'group'], m.group, 'COPY group');
  });
  image.dependencies.forEach((dep, i) => {
    if (dep.slot === undefined) fail(['dependencies', i], 'a Stapel dependency needs `before` or `after`');
  });
  if (image.platform.length > 1) {
    warnings.push(
      locate(
        config,
        image,
        ['platform'],
        `several platforms listed; this plan covers ${image.platform[0]} only`,
      ),
    );
  }
  const compiled: CompiledImage = {
    image,
    stages: stageList(image),
    mountTargets: image.mount.map((m) => m.to),
    paramsHashes: image.git.map(gitParamsHash),
  };
  if (image.docker) {
    if (!image.gitAfterPatch) {
      warnings.push(
        locate(
          config,
          image,
          ['docker'],
          'werf drops the dockerInstructions stage when disableGitAfterPatch is set, so this docker section has no effect',
        ),
      );
    } else {
      try {
        compiled.dockerLines = dockerInstructionLines(image.docker);
        compiled.dockerDeps = dockerInstructionsDeps(image.docker);
      } catch (err) {
        if (!(err instanceof MetadataError)) throw err;
        fail(['docker', err.field], err.message);
      }
    }
  }
  if (image.imageSpec) {
    try {
      compiled.imageSpecLines = imageSpecLines(image.imageSpec);
      compiled.imageSpecDeps = imageSpecDeps(image.imageSpec);
    } catch (err) {
      if (!(err instanceof MetadataError)) throw err;
      fail(['imageSpec', ...parsePath(err.field)], err.message);
    }
  }
  return errors.length === before ? compiled : undefined;
}

/** Everything that depends only on the config and the request. */
export function compilePlan(config: WerfConfig, request: PlanRequest = {}): CompiledPlan {
  const errors: PlanProblem[] = [];
  const warnings: PlanProblem[] = [];
  const project = config.meta?.project ?? '';
  const byName = new Map(config.images.map((image) => [image.name, image]));
  const dockerfileNames = new Set(config.dockerfileImages.map((d) => d.name));

  const compiled = new Map<string, CompiledImage>();
  for (const image of config.images) {
    const c = compileImage(config, image, errors, warnings);
    if (c) compiled.set(image.name, c);
  }

  const targets = request.images ? [...request.images] : undefined;
  for (const name of targets ?? []) {
    if (dockerfileNames.has(name)) {
      errors.push({
        image: name,
        docIndex: config.dockerfileImages.find((d) => d.name === name)!.docIndex,
        path: ['dockerfile'],
        line: 0,
        column: 0,
        message: `image '${name}' is a Dockerfile image, which this builder does not build (Stapel images only)`,
      });
    }
  }
  if (!targets) {
    for (const d of config.dockerfileImages) {
      const doc = config.documents[d.docIndex];
      warnings.push({
        image: d.name,
        docIndex: d.docIndex,
        path: ['dockerfile'],
        line: doc?.line ?? 0,
        column: doc?.column ?? 0,
        message: `Dockerfile image '${d.name}' is not planned: this builder builds Stapel images only`,
      });
    }
  }

  // Images that failed to compile are left out of the graph, so whatever
  // needs them is reported as blocked by them rather than planned half-way.
  const plannable = config.images.filter((i) => compiled.has(i.name));
  const graph = buildImageGraph(
    plannable,
    targets?.filter((t) => byName.has(t)),
  );
  for (const e of graph.errors) {
    const image = byName.get(e.image);
    let message = e.message;
    const needed = /'([^']*)', which is not an image of this config/.exec(message)?.[1];
    if (needed !== undefined && dockerfileNames.has(needed)) {
      message = message.replace(
        'which is not an image of this config',
        'which is a Dockerfile image (not supported)',
      );
    } else if (needed !== undefined && byName.has(needed)) {
      message = message.replace('which is not an image of this config', 'which has errors');
    }
    errors.push(locate(config, image, parsePath(e.path), message));
  }
  for (const name of targets ?? []) {
    if (!byName.has(name) && !dockerfileNames.has(name)) {
      errors.push({
        image: name,
        docIndex: -1,
        path: ['images'],
        line: 0,
        column: 0,
        message: `requested image '${name}' is not in the config (images: ${[...byName.keys()].join(', ') || 'none'})`,
      });
    }
  }
  const requested = new Set(targets ?? config.images.filter((i) => i.final).map((i) => i.name));
  return {
    project,
    platform: request.platform,
    request,
    order: graph.order,
    targets: requested,
    edges: graph.edges,
    images: compiled,
    errors,
    warnings,
  };
}

/** Resolves git commits and selections against the facts, remembering what is missing. */
class GitFacts {
  constructor(
    private readonly request: PlanRequest,
    private readonly facts: PlanFacts,
  ) {}

  commit(mapping: GitMapping): { url: string; commit: string } | Need {
    if (mapping.kind === 'local') {
      const repo = this.request.git;
      if (repo?.commit) return { url: repo.url, commit: repo.commit };
      return this.commitNeed({ url: repo?.url ?? '', ref: repo?.revision ?? 'HEAD' });
    }
    if (mapping.commit) return { url: mapping.url, commit: mapping.commit };
    const ref = mapping.tag
      ? `refs/tags/${mapping.tag}`
      : mapping.branch
        ? `refs/heads/${mapping.branch}`
        : 'HEAD';
    return this.commitNeed({ url: mapping.url, ref });
  }

  private commitNeed(spec: GitRefSpec): { url: string; commit: string } | Need {
    const key = gitCommitKey(spec);
    const commit = this.facts.gitCommits?.get(key);
    return commit !== undefined ? { url: spec.url, commit } : { kind: 'gitCommit', key, ...spec };
  }

  /** The content hash of one stage's part of a mapping, or what is missing to know it. */
  content(mapping: GitMapping, part: StageGitPart): { selection: GitSelection; hash: string } | Need {
    const at = this.commit(mapping);
    if ('kind' in at) return at;
    const selection: GitSelection = {
      url: at.url,
      commit: at.commit,
      add: mapping.add,
      includePaths: mapping.includePaths,
      excludePaths: mapping.excludePaths,
      selectPaths: part.selectPaths,
      skipPaths: part.skipPaths,
    };
    const key = gitContentKey(selection);
    const hash = this.facts.gitContent?.get(key);
    return hash !== undefined ? { selection, hash } : { kind: 'gitContent', key, ...selection };
  }
}

interface StageInputs {
  deps?: string;
  waitsFor: Need[];
  blockedBy: StageRef[];
  base?: RecipeBase;
  imports: RecipeImport[];
  git: RecipeGit[];
  env: RecipeEnv[];
}

function gitRecipe(
  mapping: GitMapping,
  part: StageGitPart,
  selection: GitSelection,
  hash: string,
): RecipeGit {
  const dir = `git/${part.mapping}`;
  return {
    dir,
    path: `${dir}/${workspaceEntryName(mapping.add)}`,
    url: selection.url,
    commit: selection.commit,
    add: mapping.add,
    to: mapping.to,
    owner: mapping.owner,
    group: mapping.group,
    includePaths: mapping.includePaths,
    excludePaths: mapping.excludePaths,
    selectPaths: part.selectPaths,
    skipPaths: part.skipPaths,
    contentHash: hash,
  };
}

class Evaluation {
  private readonly done = new Map<string, PlannedImage>();
  private readonly git: GitFacts;

  constructor(
    private readonly plan: CompiledPlan,
    private readonly facts: PlanFacts,
  ) {
    this.git = new GitFacts(plan.request, facts);
  }

  run(): Plan {
    const images = this.plan.order.map((name) => this.evaluateImage(name));
    const needs = new Map<string, Need>();
    for (const image of images) {
      for (const stage of image.stages) {
        for (const need of [...stage.waitsFor, ...stage.buildWaitsFor]) {
          const id = `${need.kind}:${need.key}`;
          const known = needs.get(id);
          // One stage image may be wanted with its config digest by one stage and without by another.
          if (known?.kind === 'stageImage' && known.withConfig) continue;
          needs.set(id, need);
        }
      }
    }
    return {
      project: this.plan.project,
      platform: this.plan.platform,
      images,
      errors: this.plan.errors,
      warnings: this.plan.warnings,
      needs: [...needs.values()],
    };
  }

  private lastStage(image: string): PlannedStage {
    const planned = this.done.get(image)!;
    return planned.stages[planned.stages.length - 1]!;
  }

  private stageInputs(c: CompiledImage, spec: StageSpec): StageInputs {
    const out: StageInputs = { waitsFor: [], blockedBy: [], imports: [], git: [], env: [] };
    const image = c.image;
    switch (spec.name) {
      case 'from': {
        const base = image.base;
        if (base.kind === 'image') {
          const last = this.lastStage(base.image);
          out.base = { kind: 'stage', image: base.image, stage: last.name, digest: last.digest ?? '' };
          if (last.contentDigest === undefined) {
            out.blockedBy.push({ image: base.image, stage: last.name });
            return out;
          }
          out.deps = fromDeps({
            cacheVersion: image.effectiveCacheVersion,
            fromCacheVersion: image.fromCacheVersion,
            mounts: image.mount,
            base,
            baseContentDigest: last.contentDigest,
          });
        } else {
          out.base =
            base.kind === 'scratch' ? { kind: 'scratch' } : { kind: 'external', ref: base.reference };
          out.deps = fromDeps({
            cacheVersion: image.effectiveCacheVersion,
            fromCacheVersion: image.fromCacheVersion,
            mounts: image.mount,
            base,
          });
        }
        return out;
      }
      case 'beforeInstall':
        out.deps = spec.shellChecksum;
        return out;
      case 'install':
      case 'beforeSetup':
      case 'setup': {
        const sums: string[] = [];
        for (const part of spec.git) {
          if (part === null) {
            sums.push('');
            continue;
          }
          const mapping = image.git[part.mapping]!;
          const content = this.git.content(mapping, part);
          if ('kind' in content) {
            out.waitsFor.push(content);
            continue;
          }
          sums.push(content.hash);
          if (content.hash !== EMPTY_GIT_CONTENT)
            out.git.push(gitRecipe(mapping, part, content.selection, content.hash));
        }
        if (out.waitsFor.length === 0) out.deps = userStageDeps(spec.shellChecksum, sums);
        return out;
      }
      case 'gitArchive': {
        const hashes: string[] = [];
        for (const part of spec.git) {
          const mapping = image.git[part.mapping]!;
          const content = this.git.content(mapping, part);
          if ('kind' in content) {
            out.waitsFor.push(content);
            continue;
          }
          hashes.push(content.hash);
          if (content.hash !== EMPTY_GIT_CONTENT)
            out.git.push(gitRecipe(mapping, part, content.selection, content.hash));
        }
        if (out.waitsFor.length === 0) out.deps = gitArchiveDeps(c.paramsHashes, hashes);
        return out;
      }
      case 'dependenciesBeforeInstall':
      case 'dependenciesAfterInstall':
      case 'dependenciesBeforeSetup':
      case 'dependenciesAfterSetup': {
        const importInputs: SlotImportDigestInput[] = [];
        spec.imports.forEach((imp, i) => {
          let source: ImportSourceRef;
          if (imp.source.kind === 'external') {
            // Pinned to a manifest digest, so a tag that moves cannot change
            // the files behind a checksum (cached per source) or a stage digest.
            const key = externalImageKey(imp.source.reference);
            const pinned = this.facts.externalImages?.get(key);
            if (pinned === undefined) {
              out.waitsFor.push({ kind: 'externalImage', key, ref: imp.source.reference });
              return;
            }
            source = { kind: 'external', ref: pinned };
          } else {
            const sourceImage = imp.source.image;
            const stageName = importSourceStage(this.plan.images.get(sourceImage)!.stages, imp.stage);
            const stage = this.done.get(sourceImage)!.stages.find((s) => s.name === stageName)!;
            if (stage.digest === undefined || stage.contentDigest === undefined) {
              out.blockedBy.push({ image: sourceImage, stage: stageName });
              return;
            }
            source = {
              kind: 'stage',
              image: sourceImage,
              stage: stageName,
              digest: stage.digest,
              contentDigest: stage.contentDigest,
            };
          }
          const selection = {
            source,
            add: imp.add,
            includePaths: imp.includePaths,
            excludePaths: imp.excludePaths,
          };
          const key = importChecksumKey(selection);
          const checksum = this.facts.importChecksums?.get(key);
          if (checksum === undefined) {
            out.waitsFor.push({ kind: 'importChecksum', key, ...selection });
            return;
          }
          importInputs.push({ checksum, to: imp.to, group: imp.group, owner: imp.owner });
          const dir = `imports/${i}`;
          out.imports.push({
            dir,
            path: `${dir}/${workspaceEntryName(imp.add)}`,
            source,
            add: imp.add,
            to: imp.to,
            owner: imp.owner,
            group: imp.group,
            includePaths: imp.includePaths,
            excludePaths: imp.excludePaths,
            checksum,
          });
        });
        const dependencyInputs: SlotDependencyDigestInput[] = [];
        for (const dep of spec.dependencies) {
          const last = this.lastStage(dep.image);
          if (last.digest === undefined) {
            out.blockedBy.push({ image: dep.image, stage: last.name });
            continue;
          }
          const imports = dep.imports.map((d) => ({ type: d.type, targetEnv: d.targetEnv ?? '' }));
          dependencyInputs.push({ lastStageId: last.digest, imports });
          for (const d of imports) {
            out.env.push({
              name: d.targetEnv,
              type: d.type,
              dependency: { image: dep.image, stage: last.name, digest: last.digest },
            });
          }
        }
        if (out.waitsFor.length === 0 && out.blockedBy.length === 0) {
          out.deps = dependenciesStageDeps(importInputs, dependencyInputs);
        }
        return out;
      }
      case 'dockerInstructions':
        out.deps = c.dockerDeps!;
        return out;
      case 'imageSpec':
        out.deps = c.imageSpecDeps!;
        return out;
    }
  }

  private evaluateImage(name: string): PlannedImage {
    const c = this.plan.images.get(name)!;
    const platform = chooseImagePlatform(c.image, this.plan.request);
    const stages: PlannedStage[] = [];
    let prev: PlannedStage | undefined;
    for (const spec of c.stages) {
      const inputs = this.stageInputs(c, spec);
      const blockedBy = [...inputs.blockedBy];
      if (prev && prev.digest === undefined) blockedBy.unshift({ image: name, stage: prev.name });
      const stage: PlannedStage = {
        image: name,
        name: spec.name,
        status: 'waiting',
        waitsFor: inputs.waitsFor,
        blockedBy,
        buildWaitsFor: [],
      };
      if (inputs.deps !== undefined && blockedBy.length === 0) {
        const digest = stageDigest({
          platform,
          stage: spec.name,
          deps: inputs.deps,
          prev: prev?.digest ? { digest: prev.digest, nextDeps: nextDeps(prev.name) } : undefined,
        });
        stage.status = 'ready';
        stage.digest = digest;
        stage.contentDigest = contentDigest({ platform, stage: spec.name, digest });
        const stored = this.facts.stageImages?.get(stageImageKey(digest));
        if (stored) stage.stored = stored;
        stage.recipe = this.recipe(c, spec, inputs, prev, stage);
        if (!stored) this.completeBuild(stage);
      }
      stages.push(stage);
      prev = stage;
    }
    const planned: PlannedImage = {
      name,
      final: c.image.final,
      requested: this.plan.targets.has(name),
      needs: this.plan.edges.filter((e) => e.image === name).map((e) => ({ image: e.needs, kind: e.kind })),
      stages,
      digest: stages[stages.length - 1]?.digest,
    };
    this.done.set(name, planned);
    return planned;
  }

  private recipe(
    c: CompiledImage,
    spec: StageSpec,
    inputs: StageInputs,
    prev: PlannedStage | undefined,
    stage: PlannedStage,
  ): StageRecipe {
    const base: RecipeBase = prev
      ? { kind: 'stage', image: prev.image, stage: prev.name, digest: prev.digest! }
      : inputs.base!;
    const userStage = spec.name === 'beforeInstall' || spec.name === 'install' || spec.name === 'beforeSetup';
    const run =
      userStage || spec.name === 'setup'
        ? { commands: 'commands' in spec ? spec.commands : [], mountTargets: c.mountTargets }
        : undefined;
    const instructions =
      spec.name === 'dockerInstructions'
        ? c.dockerLines!
        : spec.name === 'imageSpec'
          ? c.imageSpecLines!
          : [];
    // Only digest-derived labels: images and stages with the same digest share
    // one stage image, so nothing else (image name, project) may be written.
    const labels: [string, string][] = [
      ['werf-stage-content-digest', stage.contentDigest!],
      ['stapel.dev/stage-digest', stage.digest!],
    ];
    return {
      base,
      imports: inputs.imports,
      git: inputs.git,
      env: inputs.env,
      ...(run ? { run } : {}),
      instructions,
      labels,
    };
  }

  /** Names the stage images a build still needs, or writes the prepare spec when none is missing. */
  private completeBuild(stage: PlannedStage): void {
    const recipe = stage.recipe!;
    // A dependency of type ImageID needs the image config digest too.
    const needsConfig = new Set(
      recipe.env.filter((e) => e.type === 'ImageID').map((e) => e.dependency.digest),
    );
    for (const input of recipeStageInputs(recipe)) {
      const fact = this.facts.stageImages?.get(stageImageKey(input.digest));
      const withConfig = needsConfig.has(input.digest);
      if (!fact || (withConfig && !fact.configDigest)) {
        stage.buildWaitsFor.push({
          kind: 'stageImage',
          key: stageImageKey(input.digest),
          ...input,
          ...(withConfig ? { withConfig: true as const } : {}),
        });
      }
    }
    const repository = this.plan.request.repository;
    if (stage.buildWaitsFor.length > 0 || repository === undefined) return;
    const spec = prepareSpecFor({
      image: stage.image,
      stage: stage.name,
      digest: stage.digest!,
      recipe,
      lookup: { repository, stageImage: (d) => this.facts.stageImages?.get(stageImageKey(d)) },
      insecureRegistries: [...(this.plan.request.insecureRegistries ?? [])],
    });
    if (spec) stage.prepareSpec = spec;
  }
}

export function evaluatePlan(plan: CompiledPlan, facts: PlanFacts = {}): Plan {
  return new Evaluation(plan, facts).run();
}

/** Plans a parsed config with the facts known so far. */
export function planBuild(config: WerfConfig, request: PlanRequest = {}, facts: PlanFacts = {}): Plan {
  return evaluatePlan(compilePlan(config, request), facts);
}
