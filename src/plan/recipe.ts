import type { DependencyImportType } from '../werf/model.js';
import { copyInstruction, quotedWord, runInstruction } from './dockerfile-syntax.js';
import type { ImportSourceRef, StageImageFact } from './facts.js';
import { importCopyInstruction } from './import-copy.js';
import type { PrepareSpec } from './prepare-spec.js';
import type { StageName } from './stage-names.js';

// The build recipe of one stage, as data with symbolic references to other
// stage images, and its rendering into a Dockerfile and a prepare spec once
// those references are known. Inside a stage the order is werf's (Buildah
// backend, §3.1): imports, git files, commands, then config and labels.

export type RecipeBase =
  | { kind: 'scratch' }
  | { kind: 'external'; ref: string }
  | { kind: 'stage'; image: string; stage: StageName; digest: string };

export interface RecipeImport {
  /** Workspace folder of this import, and the path inside it where `add` is placed. */
  dir: string;
  path: string;
  source: ImportSourceRef;
  add: string;
  to: string;
  owner: string;
  group: string;
  includePaths: string[];
  excludePaths: string[];
  checksum: string;
}

export interface RecipeGit {
  dir: string;
  path: string;
  url: string;
  commit: string;
  add: string;
  to: string;
  owner: string;
  group: string;
  includePaths: string[];
  excludePaths: string[];
  selectPaths: string[];
  skipPaths: string[];
  contentHash: string;
}

/** An environment variable a `dependencies` entry injects (werf §2.7). */
export interface RecipeEnv {
  name: string;
  type: DependencyImportType;
  dependency: { image: string; stage: StageName; digest: string };
}

export interface StageRecipe {
  base: RecipeBase;
  imports: RecipeImport[];
  git: RecipeGit[];
  env: RecipeEnv[];
  /** Present for user stages; the commands may be empty (a stage that exists for its cache version). */
  run?: { commands: string[]; mountTargets: string[] };
  /** Metadata instructions of dockerInstructions/imageSpec, already rendered. */
  instructions: string[];
  labels: [string, string][];
}

/** Looks up what the planner knows about stage images; undefined = not known yet. */
export interface StageImageLookup {
  repository: string;
  stageImage(digest: string): StageImageFact | undefined;
}

/** `<repository>@<manifest digest>` of a stage image, or undefined while it does not exist. */
export function stageImageRef(lookup: StageImageLookup, digest: string): string | undefined {
  const fact = lookup.stageImage(digest);
  return fact ? `${lookup.repository}@${fact.manifestDigest}` : undefined;
}

function dependencyEnvValue(lookup: StageImageLookup, env: RecipeEnv): string | undefined {
  const digest = env.dependency.digest;
  switch (env.type) {
    case 'ImageName':
      return `${lookup.repository}:${digest}`;
    case 'ImageTag':
      return digest;
    case 'ImageRepo':
      return lookup.repository;
    case 'ImageDigest':
      return lookup.stageImage(digest)?.manifestDigest;
    case 'ImageID':
      return lookup.stageImage(digest)?.configDigest;
  }
}

/** Digests of the stage images the build of this recipe reads (base, import sources, dependencies). */
export function recipeStageInputs(
  recipe: StageRecipe,
): { image: string; stage: StageName; digest: string }[] {
  const inputs: { image: string; stage: StageName; digest: string }[] = [];
  const add = (s: { image: string; stage: StageName; digest: string }) => {
    if (!inputs.some((i) => i.digest === s.digest))
      inputs.push({ image: s.image, stage: s.stage, digest: s.digest });
  };
  if (recipe.base.kind === 'stage') add(recipe.base);
  for (const imp of recipe.imports) if (imp.source.kind === 'stage') add(imp.source);
  for (const env of recipe.env) {
    if (env.type === 'ImageDigest' || env.type === 'ImageID') add(env.dependency);
  }
  return inputs;
}

/**
 * The Dockerfile text. Stage references are resolved through `ref`; the
 * planner passes registry references by manifest digest, the `plan` command
 * may pass tags for reading. Returns undefined when a reference is unknown.
 */
export function renderDockerfile(
  recipe: StageRecipe,
  ref: (digest: string) => string | undefined,
  env: (e: RecipeEnv) => string | undefined,
): string | undefined {
  let from: string;
  if (recipe.base.kind === 'scratch') from = 'scratch';
  else if (recipe.base.kind === 'external') from = recipe.base.ref;
  else {
    const resolved = ref(recipe.base.digest);
    if (resolved === undefined) return undefined;
    from = resolved;
  }
  const lines = [`FROM ${from}`];
  // A directory `add` is rewritten by prepare to the directory form (import-copy.ts).
  for (const imp of recipe.imports) lines.push(importCopyInstruction(imp, 'file'));
  for (const git of recipe.git) lines.push(copyInstruction(git));
  for (const e of recipe.env) {
    const value = env(e);
    if (value === undefined) return undefined;
    lines.push(
      `ENV ${quotedWord(e.name, 'dependency env name')}=${quotedWord(value, 'dependency env value')}`,
    );
  }
  if (recipe.run && recipe.run.commands.length > 0) {
    lines.push(runInstruction(recipe.run.commands, recipe.run.mountTargets));
  }
  lines.push(...recipe.instructions);
  for (const [key, value] of recipe.labels)
    lines.push(`LABEL ${quotedWord(key, 'label')}=${quotedWord(value, 'label')}`);
  return `${lines.join('\n')}\n`;
}

/** The prepare spec of a stage, or undefined while a stage image it reads is not known. */
export function prepareSpecFor(args: {
  image: string;
  stage: StageName;
  digest: string;
  recipe: StageRecipe;
  lookup: StageImageLookup;
  insecureRegistries: string[];
}): PrepareSpec | undefined {
  const { recipe, lookup } = args;
  const dockerfile = renderDockerfile(
    recipe,
    (digest) => stageImageRef(lookup, digest),
    (e) => dependencyEnvValue(lookup, e),
  );
  if (dockerfile === undefined) return undefined;
  const imports: PrepareSpec['imports'] = [];
  for (const imp of recipe.imports) {
    const sourceRef =
      imp.source.kind === 'external' ? imp.source.ref : stageImageRef(lookup, imp.source.digest);
    if (sourceRef === undefined) return undefined;
    imports.push({
      dir: imp.dir,
      path: imp.path,
      sourceRef,
      sourceImage: imp.source.kind === 'stage' ? imp.source.image : imp.source.ref,
      sourceStage: imp.source.kind === 'stage' ? imp.source.stage : '',
      add: imp.add,
      to: imp.to,
      owner: imp.owner,
      group: imp.group,
      includePaths: imp.includePaths,
      excludePaths: imp.excludePaths,
      expectedChecksum: imp.checksum,
    });
  }
  const git: PrepareSpec['git'] = recipe.git.map((g) => ({
    dir: g.dir,
    path: g.path,
    url: g.url,
    commit: g.commit,
    add: g.add,
    to: g.to,
    includePaths: g.includePaths,
    excludePaths: g.excludePaths,
    selectPaths: g.selectPaths,
    skipPaths: g.skipPaths,
    expectedContentHash: g.contentHash,
  }));
  return {
    apiVersion: 'stapel.dev/prepare/v1',
    image: args.image,
    stage: args.stage,
    digest: args.digest,
    dockerfile,
    imports,
    git,
    insecureRegistries: args.insecureRegistries,
  };
}

/** For `plan -o dockerfiles`: tags instead of digests, placeholders for values only a build knows. */
export function readableDockerfile(recipe: StageRecipe, repository: string): string {
  return renderDockerfile(
    recipe,
    (digest) => `${repository}:${digest}`,
    (e) =>
      dependencyEnvValue({ repository, stageImage: () => undefined }, e) ??
      `<${e.type} of ${e.dependency.image}>`,
  )!;
}
