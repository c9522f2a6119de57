// The typed model of a rendered werf.yaml (werf v2, configVersion 1), as
// produced by `parseWerfConfig`. It is what the planner reads: every value is
// already normalised the way werf normalises it (string-or-list fields are
// lists, paths are cleaned, `to` of an import defaults to `add`, the implicit
// excludes of werf-stapel.md §2.10 are applied, meta `build.imageSpec` is merged
// into final images). Source positions live beside the model in `SourceMap`, so
// any object of the model can be traced back to the text.

/** The four user stages of a Stapel image, in conveyor order. */
export type UserStageName = 'beforeInstall' | 'install' | 'beforeSetup' | 'setup';
export const USER_STAGE_NAMES: readonly UserStageName[] = [
  'beforeInstall',
  'install',
  'beforeSetup',
  'setup',
];

/**
 * Where an import or a dependency takes effect: `before: install` is
 * `beforeInstall`, `after: setup` is `afterSetup`, and so on. The stage that
 * carries it is `dependencies<Slot>` (legacy digest name `imports<Slot>`).
 */
export type DependencySlot = 'beforeInstall' | 'afterInstall' | 'beforeSetup' | 'afterSetup';
export const DEPENDENCY_SLOTS: readonly DependencySlot[] = [
  'beforeInstall',
  'afterInstall',
  'beforeSetup',
  'afterSetup',
];

/** The whole parsed configuration. */
export interface WerfConfig {
  /** File name used in messages (`werf.yaml` unless told otherwise). */
  fileName: string;
  /** The meta document; undefined only when it is missing (which is an error). */
  meta: MetaConfig | undefined;
  /**
   * Stapel images and artifacts in document order. A document with
   * `image: [a, b]` yields one entry per name (the same settings, separate
   * objects). A nameless image (`image: ~` or `image: ""`) has `name: ""`.
   */
  images: StapelImage[];
  /** Dockerfile images (`dockerfile:` documents), in document order. */
  dockerfileImages: DockerfileImage[];
  /** One entry per non-empty YAML document, in order (index = `docIndex`). */
  documents: DocumentInfo[];
  /** Positions of model objects and their fields in the original text. */
  sourceMap: SourceMap;
}

export type DocumentKind = 'meta' | 'image' | 'artifact' | 'dockerfile' | 'unknown';

export interface DocumentInfo {
  /** 0-based index among the non-empty documents of the rendered text. */
  index: number;
  kind: DocumentKind;
  /** Image names declared by the document (empty for meta; `[""]` for a nameless image). */
  names: string[];
  /** 1-based line and column where the document's content starts. */
  line: number;
  column: number;
}

// ---------------------------------------------------------------- meta

export interface MetaConfig {
  configVersion: 1;
  project: string;
  build: MetaBuild;
  /** Accepted for compatibility and not used by the builder. */
  deploy: Record<string, unknown> | undefined;
  cleanup: Record<string, unknown> | undefined;
  gitWorktree: MetaGitWorktree | undefined;
}

export interface MetaBuild {
  /** Default `cacheVersion` of every image whose own one is empty ("" when unset). */
  cacheVersion: string;
  /** Default target platforms (empty when unset). */
  platform: string[];
  /** Dockerfile images only. */
  staged: boolean;
  /** Present when the meta document has `build.imageSpec` (even `{}`); already merged into final images. */
  imageSpec: MetaImageSpec | undefined;
}

/** The part of `imageSpec` the meta document may set. */
export interface MetaImageSpec {
  author: string;
  clearHistory: boolean;
  config: {
    labels: Record<string, string>;
    removeLabels: string[];
    keepEssentialWerfLabels: boolean;
    clearWerfLabels: boolean;
  };
}

export interface MetaGitWorktree {
  forceShallowClone: boolean;
  allowUnshallow: boolean;
  allowFetchOriginBranchesAndTags: boolean;
}

// ---------------------------------------------------------------- images

/**
 * The base of a Stapel image, resolved as werf v2 does: `fromImage` overrides
 * `from`; a `from` equal to the name of an image of this config is internal,
 * anything else is an external reference (`scratch` is its own kind).
 */
export type BaseImage =
  | { kind: 'scratch' }
  /** An external reference, exactly as written (it enters the `from` digest as is). */
  | { kind: 'external'; reference: string }
  /** An image or artifact of this config (via `from`, `fromImage` or `fromArtifact`). */
  | { kind: 'image'; image: string; via: 'from' | 'fromImage' | 'fromArtifact' };

export interface StapelImage {
  /** `image` for `image:` documents, `artifact` for legacy `artifact:` documents. */
  kind: 'image' | 'artifact';
  /** "" for a nameless image. */
  name: string;
  /** Index of the document this image comes from (see `WerfConfig.documents`). */
  docIndex: number;
  /** false for artifacts and for `final: false`. */
  final: boolean;
  base: BaseImage;
  /** The three base fields as written (after string conversion), for messages and digests. */
  fromRaw: { from?: string; fromImage?: string; fromArtifact?: string };
  fromLatest: boolean;
  fromCacheVersion: string;
  /** The image's own `cacheVersion` ("" when unset). */
  cacheVersion: string;
  /** `cacheVersion`, else meta `build.cacheVersion`: what enters the `from` digest. */
  effectiveCacheVersion: string;
  disableGitAfterPatch: boolean;
  /**
   * Whether the conveyor gets `gitCache`, `gitLatestPatch` and
   * `dockerInstructions`: not an artifact and `disableGitAfterPatch` false.
   */
  gitAfterPatch: boolean;
  /** Local mappings first, then remote ones, each in config order (werf's export order). */
  git: GitMapping[];
  shell: Shell | undefined;
  /** Parsed only to report it: this builder does not run Ansible (reported as an error). */
  ansible: Ansible | undefined;
  mount: Mount[];
  docker: DockerInstructions | undefined;
  import: Import[];
  dependencies: Dependency[];
  /** The image's `imageSpec` after the meta `build.imageSpec` merge; undefined when there is none. */
  imageSpec: ImageSpec | undefined;
  /** The image's own `platform` list (empty = meta `build.platform`, else the host). */
  platform: string[];
  network: string;
  secrets: Secret[];
}

// ---------------------------------------------------------------- git

interface GitMappingBase {
  /** Absolute path in the repository, cleaned (default `/`). */
  add: string;
  /** Absolute path in the image, cleaned. */
  to: string;
  /** "" when unset; a name or a numeric id, as written. */
  owner: string;
  group: string;
  /** Relative globs, cleaned. */
  includePaths: string[];
  /**
   * Relative globs, cleaned: the user's excludes followed by the implicit ones
   * werf adds to separate overlapping exports (§2.10). This is the list werf
   * hashes and copies with.
   */
  excludePaths: string[];
  /** The trailing part of `excludePaths` that §2.10 added (for messages). */
  implicitExcludePaths: string[];
  stageDependencies: StageDependencies;
}

export interface StageDependencies {
  install: string[];
  beforeSetup: string[];
  setup: string[];
}

export interface LocalGitMapping extends GitMappingBase {
  kind: 'local';
}

export interface RemoteGitMapping extends GitMappingBase {
  kind: 'remote';
  url: string;
  /** At most one of branch, tag, commit; none means the remote's default HEAD. */
  branch: string | undefined;
  tag: string | undefined;
  commit: string | undefined;
  basicAuth: GitBasicAuth | undefined;
}

export interface GitBasicAuth {
  username: string;
  password: SecretSource;
}

export type GitMapping = LocalGitMapping | RemoteGitMapping;

/** A value taken from the environment, a file or the config itself. */
export type SecretSource =
  | { kind: 'env'; env: string }
  | { kind: 'src'; src: string }
  | { kind: 'value'; value: string };

// ---------------------------------------------------------------- shell, ansible

export interface Shell {
  beforeInstall: string[];
  install: string[];
  beforeSetup: string[];
  setup: string[];
  /** Mixed into all four user stages ("" when unset). */
  cacheVersion: string;
  beforeInstallCacheVersion: string;
  installCacheVersion: string;
  beforeSetupCacheVersion: string;
  setupCacheVersion: string;
}

/** Ansible tasks, kept as plain data. Not supported by this builder. */
export interface Ansible {
  beforeInstall: unknown[];
  install: unknown[];
  beforeSetup: unknown[];
  setup: unknown[];
  cacheVersion: string;
  beforeInstallCacheVersion: string;
  installCacheVersion: string;
  beforeSetupCacheVersion: string;
  setupCacheVersion: string;
}

// ---------------------------------------------------------------- mount

export type MountType = 'tmp_dir' | 'build_dir' | 'custom_dir';

export interface Mount {
  /** Absolute path in the build container, cleaned. */
  to: string;
  /** `tmp_dir` / `build_dir` from `from`; `custom_dir` from `fromPath`. */
  type: MountType;
  /** The host path of a `custom_dir` mount; undefined otherwise. */
  fromPath: string | undefined;
}

// ---------------------------------------------------------------- docker

export interface DockerInstructions {
  volume: string[];
  expose: string[];
  env: Record<string, string>;
  label: Record<string, string>;
  /**
   * ENTRYPOINT as werf stores it (§2.5): a list becomes the text `["a", "b"]`
   * (no escaping), a string is kept as written; undefined when unset.
   */
  entrypoint: string | undefined;
  /** CMD stored the same way; `[]` when ENTRYPOINT is set and CMD is not. */
  cmd: string | undefined;
  workdir: string | undefined;
  user: string | undefined;
  healthcheck: string | undefined;
  exactValues: boolean;
}

// ---------------------------------------------------------------- import

/**
 * Where the files of an import come from. `image` is an image or artifact of
 * this config; `external` a reference pulled from a registry (an import source
 * is external exactly when it parses as a reference with a tag or digest).
 */
export type ImportSource =
  | { kind: 'image'; image: string; via: 'from' | 'image' | 'artifact' }
  | { kind: 'external'; reference: string; via: 'from' | 'image' };

export interface Import {
  source: ImportSource;
  /** Stage of the source to take files from; undefined = its last non-empty stage. */
  stage: UserStageName | undefined;
  /** `before`/`after` + `install`/`setup` of the importing image. */
  slot: DependencySlot;
  /** Absolute path in the source, cleaned. */
  add: string;
  /** Absolute path in this image, cleaned; defaults to `add`. */
  to: string;
  /** True when `to` was written with a trailing `/` (werf v2 warns and drops it; see warnings). */
  toHadTrailingSlash: boolean;
  includePaths: string[];
  /** User excludes followed by the implicit ones of §2.10 (see GitMappingBase). */
  excludePaths: string[];
  implicitExcludePaths: string[];
  owner: string;
  group: string;
}

// ---------------------------------------------------------------- dependencies

export type DependencyImportType = 'ImageName' | 'ImageTag' | 'ImageRepo' | 'ImageID' | 'ImageDigest';

export interface DependencyImport {
  type: DependencyImportType;
  /** Stapel images: the env var set in the dependency stage. */
  targetEnv: string | undefined;
  /** Dockerfile images: the build arg (forbidden for Stapel). */
  targetBuildArg: string | undefined;
}

export interface Dependency {
  image: string;
  /** Stapel images only; undefined for Dockerfile images. */
  slot: DependencySlot | undefined;
  imports: DependencyImport[];
}

// ---------------------------------------------------------------- imageSpec

export interface HealthConfig {
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  retries: number;
}

export interface ImageSpec {
  author: string;
  clearHistory: boolean;
  config: ImageSpecConfig;
}

export interface ImageSpecConfig {
  labels: Record<string, string>;
  removeLabels: string[];
  env: Record<string, string>;
  removeEnv: string[];
  volumes: string[];
  removeVolumes: string[];
  expose: string[];
  user: string;
  cmd: string[];
  entrypoint: string[];
  workingDir: string;
  stopSignal: string;
  healthcheck: HealthConfig | undefined;
  keepEssentialWerfLabels: boolean;
  clearWerfLabels: boolean;
  clearCmd: boolean;
  clearEntrypoint: boolean;
  clearUser: boolean;
  clearWorkingDir: boolean;
}

// ---------------------------------------------------------------- secrets

export interface Secret {
  /** Mounted at `/run/secrets/<id>`; for `env` and `src` werf derives it when not given. */
  id: string | undefined;
  source: SecretSource;
}

// ---------------------------------------------------------------- Dockerfile images

/** A `dockerfile:` document. Parsed and validated; building them is the planner's call. */
export interface DockerfileImage {
  kind: 'dockerfile';
  name: string;
  docIndex: number;
  final: boolean;
  dockerfile: string;
  context: string;
  contextAddFiles: string[];
  target: string;
  args: Record<string, string>;
  addHost: string[];
  network: string;
  ssh: string;
  staged: boolean;
  platform: string[];
  dependencies: Dependency[];
  secrets: Secret[];
  imageSpec: ImageSpec | undefined;
  cacheVersion: string;
}

// ---------------------------------------------------------------- positions and errors

/** A YAML path inside one document: keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

export interface SourcePosition {
  docIndex: number;
  path: YamlPath;
  /** 1-based line and column in the original (rendered) text. */
  line: number;
  column: number;
  /** 0-based character offsets of the node in the text. */
  offset: number;
  endOffset: number;
}

/** Positions of the model's objects (images, mappings, imports, ...) and of their fields. */
export interface SourceMap {
  /** Where the YAML node an object of the model came from starts. */
  positionOf(object: object): SourcePosition | undefined;
  /**
   * Where a field of that object is written (the value node, or the key when
   * the value is empty); falls back to the object's own position.
   */
  fieldPosition(object: object, field: string): SourcePosition | undefined;
}

export type DiagnosticCode =
  /** YAML syntax or structure (duplicate keys, anchors to nothing...). */
  | 'yaml'
  /** A field has the wrong type or value, or is unknown. */
  | 'schema'
  /** A werf validation rule (§2.9) is broken. */
  | 'rule'
  /** Valid werf, but this builder does not do it (e.g. `ansible`). */
  | 'unsupported';

export interface WerfConfigError {
  code: DiagnosticCode;
  /** 0-based document index; -1 when the error concerns the whole file (e.g. no meta document). */
  docIndex: number;
  /** Image name of the document, when it has one ("" for a nameless image). */
  imageName: string | undefined;
  /** The document is an `artifact:` (werf 1.2 form), so messages say artifact, not image. */
  artifact?: boolean;
  /** YAML path inside the document, e.g. `['import', 1, 'after']`. */
  path: YamlPath;
  /** 1-based line and column in the original text. */
  line: number;
  column: number;
  /** What is wrong and what is expected. */
  message: string;
}

/** Things werf v2 accepts with a warning (e.g. `to: /app/` on an import). Same shape as errors. */
export type WerfConfigWarning = Omit<WerfConfigError, 'code'> & { code: 'warning' };

export interface ParseResult {
  /** The model; present even with errors (invalid parts left out) so callers can show more. */
  config: WerfConfig;
  errors: WerfConfigError[];
  warnings: WerfConfigWarning[];
}
