import { minimatch } from 'minimatch';
import type { DockerfileImage, Secret, StapelImage, YamlPath } from './model.js';
import type { Diagnostics, DocumentScope, ModelSourceMap } from './parse/diagnostics.js';

// werf's giterminism (werf-stapel.md §2.9 rule 12): by default a config may
// not use inputs that make a build unrepeatable. Each one is allowed by the
// matching directive of the `config` section of werf-giterminism.yaml; the
// option below has the same shape.

export interface GiterminismConfig {
  /** werf's `--loose-giterminism`: no restriction at all. */
  loose?: boolean;
  stapel?: {
    allowFromLatest?: boolean;
    git?: { allowBranch?: boolean };
    mount?: { allowBuildDir?: boolean; allowFromPaths?: string[] };
  };
  secrets?: { allowEnvVariables?: string[]; allowFiles?: string[]; allowValueIds?: string[] };
}

interface Context {
  diagnostics: Diagnostics;
  sourceMap: ModelSourceMap;
  scopeOf(image: StapelImage | DockerfileImage): DocumentScope;
}

const FILE = 'werf-giterminism.yaml';

export function checkGiterminism(
  images: StapelImage[],
  dockerfileImages: DockerfileImage[],
  policy: GiterminismConfig,
  ctx: Context,
): void {
  if (policy.loose) return;
  const report = (
    image: StapelImage | DockerfileImage,
    object: object,
    field: string | undefined,
    message: string,
  ) => {
    const path = ctx.sourceMap.pathOf(object) ?? [];
    const full: YamlPath = field === undefined ? path : [...path, field];
    ctx.diagnostics.error(ctx.scopeOf(image), full, `${message} (giterminism)`);
  };
  for (const image of images) {
    if (image.fromLatest && !policy.stapel?.allowFromLatest) {
      report(
        image,
        image,
        'fromLatest',
        `"fromLatest: true" makes builds unrepeatable; allow it with config.stapel.allowFromLatest in ${FILE}, or pin the base and bump "fromCacheVersion"`,
      );
    }
    for (const git of image.git) {
      if (git.kind !== 'remote' || git.tag || git.commit || policy.stapel?.git?.allowBranch) continue;
      report(
        image,
        git,
        git.branch ? 'branch' : undefined,
        `a remote git mapping ${git.branch ? 'on a branch' : 'without "commit" or "tag"'} is unrepeatable; pin "commit" or "tag", or allow branches with config.stapel.git.allowBranch in ${FILE}`,
      );
    }
    for (const mount of image.mount) {
      if (mount.type === 'build_dir' && !policy.stapel?.mount?.allowBuildDir) {
        report(
          image,
          mount,
          'from',
          `"from: build_dir" shares state between builds; allow it with config.stapel.mount.allowBuildDir in ${FILE}`,
        );
      }
      if (mount.type === 'custom_dir') {
        const allowed = policy.stapel?.mount?.allowFromPaths ?? [];
        if (!allowed.some((glob) => minimatch(mount.fromPath ?? '', glob, { dot: true }))) {
          report(
            image,
            mount,
            'fromPath',
            `"fromPath" ${JSON.stringify(mount.fromPath)} mounts a host directory; allow it with config.stapel.mount.allowFromPaths in ${FILE}`,
          );
        }
      }
    }
    checkSecrets(image, image.secrets, policy, report);
  }
  for (const image of dockerfileImages) checkSecrets(image, image.secrets, policy, report);
}

function checkSecrets(
  image: StapelImage | DockerfileImage,
  secrets: Secret[],
  policy: GiterminismConfig,
  report: (
    image: StapelImage | DockerfileImage,
    object: object,
    field: string | undefined,
    message: string,
  ) => void,
): void {
  for (const secret of secrets) {
    const s = secret.source;
    if (s.kind === 'env' && !(policy.secrets?.allowEnvVariables ?? []).includes(s.env)) {
      report(
        image,
        secret,
        'env',
        `secret from environment variable ${JSON.stringify(s.env)} is not allowed; list it in config.secrets.allowEnvVariables in ${FILE}`,
      );
    } else if (
      s.kind === 'src' &&
      !(policy.secrets?.allowFiles ?? []).some((g) => minimatch(s.src, g, { dot: true }))
    ) {
      report(
        image,
        secret,
        'src',
        `secret from file ${JSON.stringify(s.src)} is not allowed; list it in config.secrets.allowFiles in ${FILE}`,
      );
    } else if (s.kind === 'value' && !(policy.secrets?.allowValueIds ?? []).includes(secret.id ?? '')) {
      report(
        image,
        secret,
        'id',
        `secret value with id ${JSON.stringify(secret.id)} is not allowed; list the id in config.secrets.allowValueIds in ${FILE}`,
      );
    }
  }
}
