import type { z } from 'zod';
import { cleanPath, isAbsolutePath } from '../config-paths.js';
import type {
  DockerInstructions,
  HealthConfig,
  ImageSpec,
  Mount,
  Secret,
  Shell,
  YamlPath,
} from '../model.js';
import { err, type PartContext, quote, secretSource } from './parts-common.js';
import type { dockerSchema, imageSpecSchema, mountSchema, secretSchema, shellSchema } from './schema.js';

// The directives without cross-field puzzles: shell (§2.3), mount (§2.4,
// rules 8 and 23), docker (§2.5), secrets and imageSpec.

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
