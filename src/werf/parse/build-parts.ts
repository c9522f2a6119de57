import type { z } from 'zod';
import { cleanPath, isAbsolutePath, isContainedRelativePath } from '../config-paths.js';
import { isExternalImportSource } from '../docker-reference.js';
import type {
  Dependency,
  DependencyImport,
  DependencySlot,
  DockerInstructions,
  GitMapping,
  HealthConfig,
  ImageSpec,
  Import,
  ImportSource,
  Mount,
  Secret,
  SecretSource,
  Shell,
  YamlPath,
} from '../model.js';
import type { Diagnostics, DocumentScope, ModelSourceMap } from './diagnostics.js';
import type {
  dependencySchema,
  dockerSchema,
  imageSpecSchema,
  mountSchema,
  RawGit,
  RawImport,
  secretSchema,
  shellSchema,
} from './schema.js';

// Turns the checked raw parts of an image document into model objects,
// applying werf's per-directive rules (werf-stapel.md §2.2-§2.7, rules 13-24)
// and its normalisation (cleaned paths, defaults).

export interface PartContext {
  scope: DocumentScope;
  diagnostics: Diagnostics;
  sourceMap: ModelSourceMap;
}

const quote = (s: string) => JSON.stringify(s);

function err(
  ctx: PartContext,
  path: YamlPath,
  message: string,
  at: 'key' | 'value' = 'value',
  about: readonly string[] = [],
) {
  ctx.diagnostics.error(ctx.scope, path, message, 'rule', at, about);
}

/** Path of item `i` of a string-or-list field: the field itself when it was written as one string. */
function itemPath(ctx: PartContext, field: YamlPath, i: number): YamlPath {
  return ctx.scope.doc.has([...field, i]) ? [...field, i] : field;
}

/** Cleans relative globs and reports any that is absolute or leaves its base with `..` (rules 14, 18). */
export function relativeGlobs(
  ctx: PartContext,
  list: string[] | undefined,
  field: YamlPath,
  base: string,
): string[] {
  const out: string[] = [];
  (list ?? []).forEach((glob, i) => {
    if (!isContainedRelativePath(glob)) {
      err(
        ctx,
        itemPath(ctx, field, i),
        `expected a path relative to ${base} (no leading "/", not leaving it with ".."), got ${quote(glob)}`,
      );
      return;
    }
    out.push(cleanPath(glob));
  });
  return out;
}

// ---------------------------------------------------------------- git (§2.2)

export function buildGit(ctx: PartContext, raw: RawGit, path: YamlPath): GitMapping | undefined {
  let ok = true;
  const fail = (
    p: YamlPath,
    message: string,
    at: 'key' | 'value' = 'value',
    about: readonly string[] = [],
  ) => {
    ok = false;
    err(ctx, p, message, at, about);
  };
  const rawAdd = raw.add === undefined || raw.add === '' ? '/' : raw.add;
  if (!isAbsolutePath(rawAdd))
    fail(
      [...path, 'add'],
      `git "add" must be an absolute path in the repository (e.g. "/src"), got ${quote(rawAdd)}`,
    );
  if (raw.to === undefined || raw.to === '') {
    fail(path, 'git mapping needs "to": the absolute path in the image the files go to', 'value', ['to']);
  } else if (!isAbsolutePath(raw.to)) {
    fail(
      [...path, 'to'],
      `git "to" must be an absolute path in the image (e.g. "/app"), got ${quote(raw.to)}`,
    );
  }
  const includePaths = relativeGlobs(ctx, raw.includePaths, [...path, 'includePaths'], '"add"');
  const excludePaths = relativeGlobs(ctx, raw.excludePaths, [...path, 'excludePaths'], '"add"');
  const sd = raw.stageDependencies ?? {};
  const stageDependencies = {
    install: relativeGlobs(ctx, sd.install, [...path, 'stageDependencies', 'install'], '"add"'),
    beforeSetup: relativeGlobs(ctx, sd.beforeSetup, [...path, 'stageDependencies', 'beforeSetup'], '"add"'),
    setup: relativeGlobs(ctx, sd.setup, [...path, 'stageDependencies', 'setup'], '"add"'),
  };
  const refs = (['branch', 'tag', 'commit'] as const).filter((k) => raw[k] !== undefined && raw[k] !== '');
  const remote = raw.url !== undefined && raw.url !== '';
  if (!remote) {
    for (const k of [...refs, ...(raw.basicAuth ? (['basicAuth'] as const) : [])]) {
      fail(
        [...path, k],
        `"${k}" is only for remote git mappings (with "url"); a local mapping always uses the project's commit`,
        'key',
      );
    }
  } else if (refs.length > 1) {
    fail(
      path,
      `a remote git mapping takes at most one of "branch", "tag", "commit"; got ${refs.map(quote).join(' and ')}`,
    );
  }
  if (!ok) return undefined;
  const base = {
    add: cleanPath(rawAdd),
    to: cleanPath(raw.to as string),
    owner: raw.owner ?? '',
    group: raw.group ?? '',
    includePaths,
    excludePaths,
    implicitExcludePaths: [],
    stageDependencies,
  };
  let mapping: GitMapping;
  if (remote) {
    let basicAuth: { username: string; password: SecretSource } | undefined;
    if (raw.basicAuth) {
      const password = secretSource(
        ctx,
        raw.basicAuth.password ?? {},
        [...path, 'basicAuth', 'password'],
        'git basicAuth.password',
      );
      if (raw.basicAuth.username === undefined)
        err(ctx, [...path, 'basicAuth'], 'git basicAuth needs "username"');
      else if (password) basicAuth = { username: raw.basicAuth.username, password };
    }
    mapping = {
      kind: 'remote',
      url: raw.url as string,
      branch: raw.branch || undefined,
      tag: raw.tag || undefined,
      commit: raw.commit || undefined,
      basicAuth,
      ...base,
    };
  } else {
    mapping = { kind: 'local', ...base };
  }
  return ctx.sourceMap.register(mapping, ctx.scope.doc, path);
}

/** Exactly one of `env`, `src`, `value`. */
export function secretSource(
  ctx: PartContext,
  raw: { env?: string | undefined; src?: string | undefined; value?: string | undefined },
  path: YamlPath,
  what: string,
): SecretSource | undefined {
  const given = (['env', 'src', 'value'] as const).filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    err(
      ctx,
      path,
      `${what} needs exactly one of "env", "src", "value"${given.length ? `; got ${given.map(quote).join(' and ')}` : ''}`,
      'value',
      ['env', 'src', 'value'],
    );
    return undefined;
  }
  const k = given[0] as 'env' | 'src' | 'value';
  const v = raw[k] as string;
  return k === 'env'
    ? { kind: 'env', env: v }
    : k === 'src'
      ? { kind: 'src', src: v }
      : { kind: 'value', value: v };
}

// ---------------------------------------------------------------- shell (§2.3)

export function buildShell(ctx: PartContext, raw: z.output<typeof shellSchema>, path: YamlPath): Shell {
  return ctx.sourceMap.register(
    {
      beforeInstall: raw.beforeInstall ?? [],
      install: raw.install ?? [],
      beforeSetup: raw.beforeSetup ?? [],
      setup: raw.setup ?? [],
      cacheVersion: raw.cacheVersion ?? '',
      beforeInstallCacheVersion: raw.beforeInstallCacheVersion ?? '',
      installCacheVersion: raw.installCacheVersion ?? '',
      beforeSetupCacheVersion: raw.beforeSetupCacheVersion ?? '',
      setupCacheVersion: raw.setupCacheVersion ?? '',
    },
    ctx.scope.doc,
    path,
  );
}

// ---------------------------------------------------------------- mount (§2.4)

export function buildMount(
  ctx: PartContext,
  raw: z.output<typeof mountSchema>,
  path: YamlPath,
): Mount | undefined {
  let ok = true;
  if (raw.to === undefined || raw.to === '') {
    ok = false;
    err(ctx, path, 'mount needs "to": the absolute path in the build container', 'value', ['to']);
  } else if (!isAbsolutePath(raw.to)) {
    ok = false;
    err(ctx, [...path, 'to'], `mount "to" must be an absolute path, got ${quote(raw.to)}`);
  }
  const hasFrom = raw.from !== undefined;
  const hasFromPath = raw.fromPath !== undefined && raw.fromPath !== '';
  if (hasFrom && hasFromPath) {
    ok = false;
    err(
      ctx,
      path,
      'mount takes "from" (tmp_dir or build_dir) or "fromPath" (a host directory), not both',
      'value',
      ['from', 'fromPath'],
    );
  } else if (!hasFrom && !hasFromPath) {
    ok = false;
    err(ctx, path, 'mount needs "from" (tmp_dir or build_dir) or "fromPath" (a host directory)', 'value', [
      'from',
      'fromPath',
    ]);
  }
  if (!ok) return undefined;
  const mount: Mount = hasFromPath
    ? { to: cleanPath(raw.to as string), type: 'custom_dir', fromPath: raw.fromPath }
    : { to: cleanPath(raw.to as string), type: raw.from as 'tmp_dir' | 'build_dir', fromPath: undefined };
  return ctx.sourceMap.register(mount, ctx.scope.doc, path);
}

// ---------------------------------------------------------------- docker (§2.5)

/** werf's stored text of ENTRYPOINT/CMD: a list becomes `["a", "b"]` without escaping. */
export function dockerCommandText(value: string | string[]): string {
  return Array.isArray(value) ? `[${value.map((v) => `"${v}"`).join(', ')}]` : value;
}

export function buildDocker(
  ctx: PartContext,
  raw: z.output<typeof dockerSchema>,
  path: YamlPath,
): DockerInstructions {
  const entrypoint = raw.ENTRYPOINT === undefined ? undefined : dockerCommandText(raw.ENTRYPOINT);
  let cmd = raw.CMD === undefined ? undefined : dockerCommandText(raw.CMD);
  if (entrypoint !== undefined && cmd === undefined) cmd = '[]';
  return ctx.sourceMap.register(
    {
      volume: raw.VOLUME ?? [],
      expose: raw.EXPOSE ?? [],
      env: raw.ENV ?? {},
      label: raw.LABEL ?? {},
      entrypoint,
      cmd,
      workdir: raw.WORKDIR,
      user: raw.USER,
      healthcheck: raw.HEALTHCHECK,
      exactValues: raw.exactValues ?? false,
    },
    ctx.scope.doc,
    path,
  );
}

// ---------------------------------------------------------------- import (§2.6)

function slotOf(
  ctx: PartContext,
  raw: { before?: string | undefined; after?: string | undefined },
  path: YamlPath,
  what: string,
): DependencySlot | undefined {
  if (raw.before !== undefined && raw.after !== undefined) {
    err(ctx, path, `${what} takes one of "before" or "after", not both`, 'value', ['before', 'after']);
    return undefined;
  }
  if (raw.before === undefined && raw.after === undefined) {
    err(
      ctx,
      path,
      `${what} needs "before" or "after" with "install" or "setup": when its files are added`,
      'value',
      ['before', 'after'],
    );
    return undefined;
  }
  const when = raw.before !== undefined ? 'before' : 'after';
  const stage = (raw.before ?? raw.after) as 'install' | 'setup';
  return `${when}${stage === 'install' ? 'Install' : 'Setup'}` as DependencySlot;
}

export function buildImport(ctx: PartContext, raw: RawImport, path: YamlPath): Import | undefined {
  let ok = true;
  const fail = (p: YamlPath, message: string, about: readonly string[] = []) => {
    ok = false;
    err(ctx, p, message, 'value', about);
  };
  // Source: `from` or `image` (same meaning), or legacy `artifact` (rule 19).
  let source: ImportSource | undefined;
  const named = (['from', 'image', 'artifact'] as const).filter((k) => raw[k] !== undefined && raw[k] !== '');
  if (raw.from && raw.image)
    fail(path, 'import takes "from" or "image" (the same thing), not both', ['from', 'image', 'artifact']);
  else if (named.length === 0)
    fail(path, 'import needs a source: "from" (an image of this config or an external reference)', [
      'from',
      'image',
      'artifact',
    ]);
  else if (named.length > 1)
    fail(path, 'import takes "from"/"image" or the legacy "artifact", not both', [
      'from',
      'image',
      'artifact',
    ]);
  else {
    const via = named[0] as 'from' | 'image' | 'artifact';
    const name = raw[via] as string;
    source =
      via !== 'artifact' && isExternalImportSource(name)
        ? { kind: 'external', reference: name, via }
        : { kind: 'image', image: name, via };
  }
  const slot = slotOf(ctx, raw, path, 'import');
  if (!slot) ok = false;
  // add: required and absolute (rule 17).
  let add: string | undefined;
  if (raw.add === undefined || raw.add === '')
    fail(path, 'import needs "add": the absolute path in the source image', ['add']);
  else if (!isAbsolutePath(raw.add))
    fail(
      [...path, 'add'],
      `import "add" must be an absolute path in the source image, got ${quote(raw.add)}`,
    );
  else add = cleanPath(raw.add);
  // to: defaults to add (before cleaning), must be absolute.
  const rawTo = raw.to === undefined || raw.to === '' ? raw.add : raw.to;
  const toPath = raw.to === undefined || raw.to === '' ? [...path, 'add'] : [...path, 'to'];
  let to: string | undefined;
  let toHadTrailingSlash = false;
  if (rawTo !== undefined && rawTo !== '') {
    if (!isAbsolutePath(rawTo)) {
      // A "to" taken from a bad "add" is the same mistake, already reported.
      if (raw.to !== undefined && raw.to !== '')
        fail(toPath, `import "to" must be an absolute path in this image, got ${quote(rawTo)}`);
      else ok = false;
    } else {
      to = cleanPath(rawTo);
      toHadTrailingSlash = rawTo.length > 1 && rawTo.endsWith('/');
      if (toHadTrailingSlash) {
        ctx.diagnostics.warning(
          ctx.scope,
          toPath,
          `"to" ends with "/": werf v2 drops it and copies to ${quote(to)} (not into it); werf v3 rejects it. Write ${quote(to)}, or name the file: ${quote(`${to}/NAME`)}`,
        );
      }
    }
  }
  const includePaths = relativeGlobs(ctx, raw.includePaths, [...path, 'includePaths'], '"add"');
  const excludePaths = relativeGlobs(ctx, raw.excludePaths, [...path, 'excludePaths'], '"add"');
  // Rule 22 (werf v2.38+): importing the whole source filesystem is refused.
  // Reported without dropping the import, so the rules between images still see it.
  if (add === '/' && (raw.includePaths ?? []).length === 0) {
    err(
      ctx,
      path,
      '"add: /" needs "includePaths": importing the whole root filesystem of the source is refused; list the files to take',
    );
  }
  if (!ok || !source || !slot || add === undefined || to === undefined) return undefined;
  return ctx.sourceMap.register(
    {
      source,
      stage: raw.stage,
      slot,
      add,
      to,
      toHadTrailingSlash,
      includePaths,
      excludePaths,
      implicitExcludePaths: [],
      owner: raw.owner ?? '',
      group: raw.group ?? '',
    },
    ctx.scope.doc,
    path,
  );
}

// ---------------------------------------------------------------- dependencies (§2.7)

export function buildDependency(
  ctx: PartContext,
  raw: z.output<typeof dependencySchema>,
  path: YamlPath,
  imageKind: 'stapel' | 'dockerfile',
): Dependency | undefined {
  let ok = true;
  if (raw.image === undefined || raw.image === '') {
    ok = false;
    err(ctx, path, 'dependency needs "image": the name of another image of this config', 'value', ['image']);
  }
  let slot: DependencySlot | undefined;
  if (imageKind === 'stapel') {
    slot = slotOf(ctx, raw, path, 'dependency');
    if (!slot) ok = false;
  } else {
    for (const k of ['before', 'after'] as const) {
      if (raw[k] !== undefined) {
        ok = false;
        err(
          ctx,
          [...path, k],
          `"${k}" is for Stapel images; a Dockerfile image gets dependencies as build args`,
          'key',
        );
      }
    }
  }
  const imports: DependencyImport[] = [];
  const seen = new Map<string, number>();
  (raw.imports ?? []).forEach((imp, i) => {
    const p = [...path, 'imports', i];
    if (imp.type === undefined) {
      ok = false;
      err(
        ctx,
        p,
        'dependency import needs "type": one of ImageName, ImageTag, ImageRepo, ImageID, ImageDigest',
        'value',
        ['type'],
      );
    }
    const [wanted, forbidden] =
      imageKind === 'stapel'
        ? (['targetEnv', 'targetBuildArg'] as const)
        : (['targetBuildArg', 'targetEnv'] as const);
    if (imp[forbidden] !== undefined) {
      ok = false;
      err(
        ctx,
        [...p, forbidden],
        `"${forbidden}" is not allowed for a ${imageKind === 'stapel' ? 'Stapel' : 'Dockerfile'} image; use "${wanted}"`,
        'key',
      );
    }
    const target = imp[wanted];
    if (target === undefined || target === '') {
      ok = false;
      err(
        ctx,
        p,
        `dependency import needs "${wanted}": the ${wanted === 'targetEnv' ? 'environment variable' : 'build argument'} to set`,
        'value',
        [wanted],
      );
    } else if (seen.has(target)) {
      ok = false;
      err(
        ctx,
        [...p, wanted],
        `"${wanted}" ${quote(target)} is already set by imports[${seen.get(target)}] of this dependency`,
      );
    } else {
      seen.set(target, i);
    }
    if (imp.type !== undefined) {
      imports.push(
        ctx.sourceMap.register(
          { type: imp.type, targetEnv: imp.targetEnv, targetBuildArg: imp.targetBuildArg },
          ctx.scope.doc,
          p,
        ),
      );
    }
  });
  if (!ok) return undefined;
  return ctx.sourceMap.register({ image: raw.image as string, slot, imports }, ctx.scope.doc, path);
}

// ---------------------------------------------------------------- secrets, imageSpec

export function buildSecret(
  ctx: PartContext,
  raw: z.output<typeof secretSchema>,
  path: YamlPath,
): Secret | undefined {
  const source = secretSource(ctx, raw, path, 'secret');
  if (!source) return undefined;
  if (source.kind === 'value' && (raw.id === undefined || raw.id === '')) {
    err(ctx, path, 'a secret with "value" needs "id": it is mounted at /run/secrets/<id>', 'value', ['id']);
    return undefined;
  }
  return ctx.sourceMap.register({ id: raw.id || undefined, source }, ctx.scope.doc, path);
}

export function buildImageSpec(
  ctx: PartContext,
  raw: z.output<typeof imageSpecSchema>,
  path: YamlPath,
): ImageSpec {
  const c = raw.config ?? {};
  const hc = c.healthcheck;
  const healthcheck: HealthConfig | undefined = hc && {
    test: hc.test ?? [],
    interval: hc.interval ?? 0,
    timeout: hc.timeout ?? 0,
    startPeriod: hc.startPeriod ?? 0,
    retries: hc.retries ?? 0,
  };
  return ctx.sourceMap.register(
    {
      author: raw.author ?? '',
      clearHistory: raw.clearHistory ?? false,
      config: {
        labels: c.labels ?? {},
        removeLabels: c.removeLabels ?? [],
        env: c.env ?? {},
        removeEnv: c.removeEnv ?? [],
        volumes: c.volumes ?? [],
        removeVolumes: c.removeVolumes ?? [],
        expose: c.expose ?? [],
        user: c.user ?? '',
        cmd: c.cmd ?? [],
        entrypoint: c.entrypoint ?? [],
        workingDir: c.workingDir ?? '',
        stopSignal: c.stopSignal ?? '',
        healthcheck,
        keepEssentialWerfLabels: c.keepEssentialWerfLabels ?? false,
        clearWerfLabels: c.clearWerfLabels ?? false,
        clearCmd: c.clearCmd ?? false,
        clearEntrypoint: c.clearEntrypoint ?? false,
        clearUser: c.clearUser ?? false,
        clearWorkingDir: c.clearWorkingDir ?? false,
      },
    },
    ctx.scope.doc,
    path,
  );
}
