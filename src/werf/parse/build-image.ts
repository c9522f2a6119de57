import type {
  Dependency,
  GitMapping,
  ImageSpec,
  Import,
  Mount,
  Secret,
  StapelImage,
  YamlPath,
} from '../model.js';
import { buildDependency } from './build-dependency.js';
import { buildDocker, buildImageSpec, buildMount, buildSecret, buildShell } from './build-directives.js';
import { buildGit } from './build-git.js';
import { buildImport } from './build-import.js';
import type { PartContext } from './parts-common.js';
import type { RawStapelImage } from './schema.js';

// One Stapel `image:`/`artifact:` document -> model images (one per name),
// with the image-level rules of werf-stapel.md §2.9 (5-11). Rules that need
// the other images (base lookup, references, cycles) run later on the config.

export function buildStapelImages(
  ctx: PartContext,
  raw: RawStapelImage,
  kind: 'image' | 'artifact',
  names: string[],
): StapelImage[] {
  const err = (
    path: YamlPath,
    message: string,
    at: 'key' | 'value' = 'value',
    about: readonly string[] = [],
  ) => ctx.diagnostics.error(ctx.scope, path, message, 'rule', at, about);

  // Rule 11: what an artifact may not have.
  if (kind === 'artifact') {
    for (const field of ['docker', 'final', 'disableGitAfterPatch', 'dependencies'] as const) {
      if (raw[field] !== undefined) {
        err(
          [field],
          `an artifact cannot have "${field}"; use "image:" with "final: false" instead of "artifact:" to get it`,
          'key',
        );
      }
    }
  }
  // Rules 5 and 7: the base.
  const hasFrom = raw.from !== undefined && raw.from !== '';
  const hasFromImage = raw.fromImage !== undefined && raw.fromImage !== '';
  const hasFromArtifact = raw.fromArtifact !== undefined && raw.fromArtifact !== '';
  if (!hasFrom && !hasFromImage && !hasFromArtifact) {
    err(
      [],
      'the base image is missing: set "from" (an image of this config or an external reference such as "alpine:3.20")',
      'value',
      ['from', 'fromImage', 'fromArtifact'],
    );
  }
  if ((hasFrom || hasFromImage) && hasFromArtifact) {
    err(
      ['fromArtifact'],
      '"fromArtifact" cannot be combined with "from" or "fromImage": the image has one base',
      'key',
    );
  }
  // Rule 9 and the builder's own limit: Ansible.
  if (raw.ansible !== undefined) {
    if (raw.shell !== undefined) err(['ansible'], '"shell" and "ansible" cannot be used together', 'key');
    ctx.diagnostics.error(
      ctx.scope,
      ['ansible'],
      'ansible is not supported by this builder (werf runs it only with its Docker backend, and werf v3 removed it); rewrite the stages as "shell" commands',
      'unsupported',
      'key',
    );
  }
  // Rule 10.
  if (raw.docker !== undefined && raw.imageSpec !== undefined) {
    err(
      ['docker'],
      '"docker" and "imageSpec" cannot be used together; move the docker settings into imageSpec.config',
      'key',
    );
  }

  const locals: GitMapping[] = [];
  const remotes: GitMapping[] = [];
  (raw.git ?? []).forEach((g, i) => {
    const mapping = buildGit(ctx, g, ['git', i]);
    if (mapping) (mapping.kind === 'local' ? locals : remotes).push(mapping);
  });
  const mounts: Mount[] = [];
  const mountByTo = new Map<string, number>();
  (raw.mount ?? []).forEach((m, i) => {
    const mount = buildMount(ctx, m, ['mount', i]);
    if (!mount) return;
    // Rule 8.
    const earlier = mountByTo.get(mount.to);
    if (earlier !== undefined) {
      err(
        ['mount', i, 'to'],
        `mount[${earlier}] already mounts at ${JSON.stringify(mount.to)}: two mounts cannot share "to"`,
      );
      return;
    }
    mountByTo.set(mount.to, i);
    mounts.push(mount);
  });
  const imports = (raw.import ?? [])
    .map((imp, i) => buildImport(ctx, imp, ['import', i]))
    .filter((x): x is Import => x !== undefined);
  const dependencies =
    kind === 'artifact'
      ? []
      : (raw.dependencies ?? [])
          .map((d, i) => buildDependency(ctx, d, ['dependencies', i], 'stapel'))
          .filter((x): x is Dependency => x !== undefined);
  const secrets = (raw.secrets ?? [])
    .map((s, i) => buildSecret(ctx, s, ['secrets', i]))
    .filter((x): x is Secret => x !== undefined);
  const shell = raw.shell && buildShell(ctx, raw.shell, ['shell']);
  // werf v2 warns (v3 rejects) when stageDependencies name a stage without commands.
  (raw.git ?? []).forEach((g, i) => {
    for (const stage of ['install', 'beforeSetup', 'setup'] as const) {
      const globs = g.stageDependencies?.[stage] ?? [];
      const commands = (shell?.[stage].length ?? 0) + (raw.ansible?.[stage]?.length ?? 0);
      if (globs.length > 0 && commands === 0) {
        ctx.diagnostics.warning(
          ctx.scope,
          ['git', i, 'stageDependencies', stage],
          `has no effect: the image has no ${stage} commands, so a change here rebuilds nothing (werf v3 rejects this)`,
        );
      }
    }
  });
  const docker =
    kind === 'artifact' || raw.docker === undefined ? undefined : buildDocker(ctx, raw.docker, ['docker']);
  const imageSpec: ImageSpec | undefined = raw.imageSpec && buildImageSpec(ctx, raw.imageSpec, ['imageSpec']);
  const ansible = raw.ansible && {
    beforeInstall: raw.ansible.beforeInstall ?? [],
    install: raw.ansible.install ?? [],
    beforeSetup: raw.ansible.beforeSetup ?? [],
    setup: raw.ansible.setup ?? [],
    cacheVersion: raw.ansible.cacheVersion ?? '',
    beforeInstallCacheVersion: raw.ansible.beforeInstallCacheVersion ?? '',
    installCacheVersion: raw.ansible.installCacheVersion ?? '',
    beforeSetupCacheVersion: raw.ansible.beforeSetupCacheVersion ?? '',
    setupCacheVersion: raw.ansible.setupCacheVersion ?? '',
  };
  const disableGitAfterPatch = kind === 'artifact' ? false : (raw.disableGitAfterPatch ?? false);
  const final = kind === 'artifact' ? false : (raw.final ?? true);

  return names.map((name) => {
    // Rule 6: an image cannot be its own base (a plain `from` equal to the name means NAME:latest, §2.1).
    for (const field of ['fromImage', 'fromArtifact'] as const) {
      if (raw[field] === name && name !== '') {
        err([field], `image ${JSON.stringify(name)} cannot use itself as its base`);
      }
    }
    const image: StapelImage = {
      kind,
      name,
      docIndex: ctx.scope.doc.index,
      final,
      // Resolved against the other images of the config later (resolveBases).
      base: { kind: 'external', reference: '' },
      fromRaw: {
        ...(hasFrom ? { from: raw.from } : {}),
        ...(hasFromImage ? { fromImage: raw.fromImage } : {}),
        ...(hasFromArtifact ? { fromArtifact: raw.fromArtifact } : {}),
      },
      fromLatest: raw.fromLatest ?? false,
      fromCacheVersion: raw.fromCacheVersion ?? '',
      cacheVersion: raw.cacheVersion ?? '',
      effectiveCacheVersion: raw.cacheVersion ?? '',
      disableGitAfterPatch,
      gitAfterPatch: kind !== 'artifact' && !disableGitAfterPatch,
      // With several names, each image gets its own copies so later rewrites (§2.10) stay per image.
      git:
        names.length > 1
          ? [...locals, ...remotes].map((m) => copyRegistered(ctx, m))
          : [...locals, ...remotes],
      shell,
      ansible,
      mount: mounts,
      docker,
      import: names.length > 1 ? imports.map((m) => copyRegistered(ctx, m)) : imports,
      dependencies,
      imageSpec,
      platform: raw.platform ?? [],
      network: raw.network ?? '',
      secrets,
    };
    return ctx.sourceMap.register(image, ctx.scope.doc, []);
  });
}

function copyRegistered<T extends GitMapping | Import>(ctx: PartContext, original: T): T {
  const copy = structuredClone(original);
  const path = ctx.sourceMap.pathOf(original);
  return path ? ctx.sourceMap.register(copy, ctx.scope.doc, path) : copy;
}
