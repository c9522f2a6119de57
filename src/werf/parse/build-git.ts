import { cleanPath, isAbsolutePath } from '../config-paths.js';
import type { GitMapping, SecretSource, YamlPath } from '../model.js';
import { err, type PartContext, quote, relativeGlobs, secretSource } from './parts-common.js';
import type { RawGit } from './schema.js';

// A `git` entry -> a local or remote mapping (werf-stapel.md §2.2, rules 13-15).

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
