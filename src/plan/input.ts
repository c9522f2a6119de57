// The planner's view of a werf config: every image with its directives
// already normalised (aliases resolved, artifacts desugared, defaults and
// meta fallbacks applied, overlap excludes added by the model). The planner
// reads nothing else, so it can be tested without the YAML layer; the
// adapter from the parsed werf model lives in from-model.ts.

/** Where an error or a stage comes from in the werf.yaml text. */
export interface SourcePosition {
  /** Zero-based index of the YAML document. */
  doc: number;
  line: number;
  column: number;
}

export type BaseImage =
  | { kind: 'scratch' }
  /** A reference pulled from a registry, kept exactly as written (werf hashes the string). */
  | { kind: 'external'; ref: string }
  /** Another image of this config. */
  | { kind: 'image'; name: string };

export interface Mount {
  from: 'tmp_dir' | 'build_dir';
  to: string;
}

export type UserStageName = 'beforeInstall' | 'install' | 'beforeSetup' | 'setup';
export const USER_STAGES: readonly UserStageName[] = ['beforeInstall', 'install', 'beforeSetup', 'setup'];

/** Only these three user stages may carry git stageDependencies. */
export type GitDependentStage = 'install' | 'beforeSetup' | 'setup';
export const GIT_DEPENDENT_STAGES: readonly GitDependentStage[] = ['install', 'beforeSetup', 'setup'];

export interface GitMapping {
  /** Remote repository URL; undefined for the project repository. */
  url?: string;
  /** At most one of them, remote mappings only. */
  branch?: string;
  tag?: string;
  commit?: string;
  /** Absolute, cleaned path in the repository. */
  add: string;
  /** Absolute, cleaned path in the image. */
  to: string;
  owner: string;
  group: string;
  includePaths: string[];
  excludePaths: string[];
  stageDependencies: Record<GitDependentStage, string[]>;
}

export interface Shell {
  commands: Record<UserStageName, string[]>;
  cacheVersion: string;
  stageCacheVersions: Record<UserStageName, string>;
}

export type ImportSlot = 'beforeInstall' | 'afterInstall' | 'beforeSetup' | 'afterSetup';

export interface Import {
  /** An image of this config, or an external reference (werf §2.6: tagged or digested references). */
  source: { kind: 'image'; name: string } | { kind: 'external'; ref: string };
  /** `stage:`; undefined = the source's last stage. */
  stage?: UserStageName;
  slot: ImportSlot;
  add: string;
  to: string;
  owner: string;
  group: string;
  includePaths: string[];
  excludePaths: string[];
}

export type DependencyImportType = 'ImageName' | 'ImageTag' | 'ImageRepo' | 'ImageID' | 'ImageDigest';

export interface Dependency {
  image: string;
  slot: ImportSlot;
  imports: { type: DependencyImportType; targetEnv: string }[];
}

/** The `docker:` directive, with werf's stored texts (§2.5). */
export interface DockerInstructions {
  volume: string[];
  expose: string[];
  env: Record<string, string>;
  label: Record<string, string>;
  /** Stored text: a list becomes `["a", "b"]` (werf's unescaped join); a string is kept. Undefined when unset. */
  entrypoint?: string;
  cmd?: string;
  workdir: string;
  user: string;
  healthcheck: string;
  exactValues: boolean;
}

export interface HealthcheckSpec {
  test: string[];
  /** Seconds. */
  interval: number;
  timeout: number;
  startPeriod: number;
  retries: number;
}

/** `imageSpec:` after the meta `build.imageSpec` merge (§1.2). */
export interface ImageSpec {
  author: string;
  clearHistory: boolean;
  config: {
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
    healthcheck?: HealthcheckSpec;
    keepEssentialWerfLabels: boolean;
    clearCmd: boolean;
    clearEntrypoint: boolean;
    clearUser: boolean;
    clearWorkingDir: boolean;
  };
}

export interface PlanImageInput {
  name: string;
  /** Final images are the default build targets; artifacts and `final: false` images are not. */
  final: boolean;
  /** Artifacts and `disableGitAfterPatch: true`: werf then drops `dockerInstructions` (§3.1, pitfall 7.1). */
  gitAfterPatch: boolean;
  from: BaseImage;
  /** Image `cacheVersion`, already falling back to meta `build.cacheVersion`. */
  cacheVersion: string;
  fromCacheVersion: string;
  mounts: Mount[];
  git: GitMapping[];
  shell: Shell;
  imports: Import[];
  dependencies: Dependency[];
  docker?: DockerInstructions;
  imageSpec?: ImageSpec;
  /** A single target platform, if the image names one. */
  platform?: string;
  position?: SourcePosition;
}

export interface PlanConfigInput {
  project: string;
  images: PlanImageInput[];
}

/** Empty shell: no commands, no cache versions. */
export function emptyShell(): Shell {
  return {
    commands: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
    cacheVersion: '',
    stageCacheVersions: { beforeInstall: '', install: '', beforeSetup: '', setup: '' },
  };
}
