import { cleanPath } from '../werf/config-paths.js';
import type {
  BaseImage,
  DependencyImportType,
  DockerInstructions,
  GitMapping,
  ImageSpec,
  Mount,
  Shell,
  UserStageName,
} from '../werf/model.js';
import { h3, h256, sha256Hex } from './hash.js';
import { isGitChainStage, legacyStageName, type StageName } from './stage-names.js';

// werf's per-stage digest inputs (werf-stapel.md §4.2-4.6), as pure functions
// of already-known values. Where the planner deviates from werf (git content)
// the caller passes different values in; these formulas stay werf's.

/** werf's BuildCacheVersion constant, the second argument of every stage digest. */
export const BUILD_CACHE_VERSION = '1.2';

/** werf leaves the platform out of digests for linux/amd64 only (v2 compatibility). */
function platformArgs(platform: string | undefined): string[] {
  return platform && platform !== 'linux/amd64' ? [platform] : [];
}

/** §4.2: the digest of one stage, chained to the previous non-empty stage of the same image. */
export function stageDigest(args: {
  platform?: string;
  stage: StageName;
  deps: string;
  prev?: { digest: string; nextDeps: string };
}): string {
  const parts = [...platformArgs(args.platform), BUILD_CACHE_VERSION, legacyStageName(args.stage), args.deps];
  if (args.prev) parts.push(args.prev.digest, args.prev.nextDeps);
  return h3(...parts);
}

/**
 * §4.4, content-addressed: werf passes the hash of the git commits recorded in
 * the stage image; here git content already sits in the digests, so git
 * stages pass H256() - exactly what werf passes for an image without git.
 */
export function nextDeps(stage: StageName): string {
  return isGitChainStage(stage) ? h256() : '';
}

/** §4.6: the content digest of a stage (uses the current name, not the legacy one). */
export function contentDigest(args: { platform?: string; stage: StageName; digest: string }): string {
  return h3(
    ...platformArgs(args.platform),
    BUILD_CACHE_VERSION,
    `${args.stage}-content`,
    '',
    args.digest,
    nextDeps(args.stage),
  );
}

/** §4.3 V(stage): the cache-version checksum of a user stage, "" when no cache version applies. */
export function stageVersionChecksum(shell: Shell | undefined, stage: UserStageName): string {
  if (!shell) return '';
  const versions = [shell[`${stage}CacheVersion`], shell.cacheVersion].filter((v) => v !== '');
  return versions.length > 0 ? h256(...versions) : '';
}

/** §4.3 S(stage): "" means the stage does not exist (no commands and no cache version, pitfall 8). */
export function shellChecksum(shell: Shell | undefined, stage: UserStageName): string {
  const args = [...(shell?.[stage] ?? [])];
  const version = stageVersionChecksum(shell, stage);
  if (version !== '') args.push(version);
  return args.length > 0 ? h256(...args) : '';
}

/** §4.3 `from`: cache versions, mounts and the base (scratch, a reference as written, or the base image's content digest). */
export function fromDeps(args: {
  cacheVersion: string;
  fromCacheVersion: string;
  mounts: readonly Mount[];
  base: BaseImage;
  /** Content digest of the base image's last stage; required when the base is an image of the config. */
  baseContentDigest?: string;
}): string {
  const parts: string[] = [];
  if (args.cacheVersion !== '') parts.push(args.cacheVersion);
  if (args.fromCacheVersion !== '') parts.push(args.fromCacheVersion);
  for (const mount of args.mounts)
    parts.push(cleanPath(mount.fromPath ?? '.'), cleanPath(mount.to), mount.type);
  switch (args.base.kind) {
    case 'scratch':
      parts.push('scratch');
      break;
    case 'external':
      parts.push(args.base.reference);
      break;
    case 'image':
      if (args.baseContentDigest === undefined) throw new Error('fromDeps: base content digest missing');
      parts.push(args.baseContentDigest);
      break;
  }
  return h256(...parts);
}

/** §4.3 install/beforeSetup/setup: H256(S, G) where G covers each mapping's stage-dependency checksum. */
export function userStageDeps(shellSum: string, gitDependencyChecksums: readonly string[]): string {
  return h256(shellSum, h256(...gitDependencyChecksums));
}

/** §4.5: werf's parameter hash of a git mapping (plain concatenation with literal ':::' pieces). */
export function gitParamsHash(mapping: GitMapping): string {
  const repoId = mapping.kind === 'local' ? 'own' : remoteRepoId(mapping.url);
  const remote = mapping.kind === 'remote' ? mapping : undefined;
  const add = mapping.add.replace(/^\/+/, '');
  const parts = [
    `${repoId}_${repoId}`,
    ':::',
    mapping.to,
    ':::',
    add,
    ':::',
    ...mapping.includePaths,
    ':::',
    ...mapping.excludePaths,
    ':::',
    mapping.owner,
    ':::',
    mapping.group,
    ':::',
    remote?.branch ?? '',
    ':::',
    remote?.tag ?? '',
    ':::',
    remote?.commit ?? '',
  ];
  return sha256Hex(parts.join(''));
}

/** The `owner/name` part of a remote git URL (https or scp-like ssh), without `.git`. */
export function remoteRepoId(url: string): string {
  const path = url
    .replace(/^[a-z+]+:\/\/[^/]*\//i, '')
    .replace(/^[^@/]+@[^:/]+:/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const segments = path.split('/').filter((s) => s !== '');
  return segments.slice(-2).join('/');
}

/**
 * gitArchive: werf hashes the sorted parameter hashes only (the commit comes
 * in through nextDeps). Content-addressed, the hash of the content each
 * mapping contributes to this stage follows, in mapping order.
 */
export function gitArchiveDeps(paramsHashes: readonly string[], contentHashes: readonly string[]): string {
  return h256(...[...paramsHashes].sort(), ...contentHashes);
}

export interface SlotImportDigestInput {
  checksum: string;
  to: string;
  group: string;
  owner: string;
}

export interface SlotDependencyDigestInput {
  /** werf hashes the dependency's last stage image name; here its last stage digest (README, "Deviations"). */
  lastStageId: string;
  imports: readonly { type: DependencyImportType; targetEnv: string }[];
}

/** §4.3 dependencies*: imports in config order, then dependencies. */
export function dependenciesStageDeps(
  imports: readonly SlotImportDigestInput[],
  dependencies: readonly SlotDependencyDigestInput[],
): string {
  const parts: string[] = [];
  for (const imp of imports) parts.push(imp.checksum, imp.to, imp.group, imp.owner);
  for (const dep of dependencies) {
    parts.push('Dependency', dep.lastStageId);
    for (const imp of dep.imports)
      parts.push('DependencyImport', h256('Type', imp.type, 'TargetEnv', imp.targetEnv));
  }
  return h256(...parts);
}

function sortedPairs(map: Record<string, string>): string[] {
  return Object.keys(map)
    .sort()
    .flatMap((key) => [key, map[key] ?? '']);
}

/** §4.3 dockerInstructions. */
export function dockerInstructionsDeps(docker: DockerInstructions): string {
  const parts: string[] = [];
  if (docker.exactValues) parts.push('exact-values:::');
  parts.push(...docker.volume, ...docker.expose, ...sortedPairs(docker.env), ...sortedPairs(docker.label));
  parts.push(
    effectiveCmd(docker) ?? '',
    docker.entrypoint ?? '',
    docker.workdir ?? '',
    docker.user ?? '',
    docker.healthcheck ?? '',
  );
  return h256(...parts);
}

/** werf §2.5: when ENTRYPOINT is set and CMD is not, CMD becomes `[]`. */
export function effectiveCmd(docker: DockerInstructions): string | undefined {
  if (docker.cmd === undefined && docker.entrypoint !== undefined) return '[]';
  return docker.cmd;
}

/** Go's `%v` of werf's optional healthcheck struct pointer. */
function healthcheckText(spec: ImageSpec['config']['healthcheck']): string {
  if (!spec) return '<nil>';
  return `&{[${spec.test.join(' ')}] ${spec.interval} ${spec.timeout} ${spec.startPeriod} ${spec.retries}}`;
}

/** §4.3 imageSpec, over the spec after the meta merge. */
export function imageSpecDeps(spec: ImageSpec): string {
  const c = spec.config;
  const sorted = (list: readonly string[]) => [...list].sort();
  return h256(
    spec.author,
    String(spec.clearHistory),
    c.cmd.join(' '),
    c.entrypoint.join(' '),
    ...sortedPairs(c.env),
    ...sorted(c.expose),
    healthcheckText(c.healthcheck),
    ...sortedPairs(c.labels),
    c.stopSignal,
    c.user,
    ...sorted(c.volumes),
    c.workingDir,
    ...sorted(c.removeLabels),
    ...sorted(c.removeVolumes),
    ...sorted(c.removeEnv),
    String(c.keepEssentialWerfLabels),
    String(c.clearCmd),
    String(c.clearEntrypoint),
    String(c.clearUser),
    String(c.clearWorkingDir),
  );
}
