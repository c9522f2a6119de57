import { cleanPath, isAbsolutePath } from '../config-paths.js';
import { isExternalImportSource } from '../docker-reference.js';
import type { DependencySlot, Import, ImportSource, YamlPath } from '../model.js';
import { err, type PartContext, quote, relativeGlobs } from './parts-common.js';
import type { RawImport } from './schema.js';

// An `import` entry (werf-stapel.md §2.6, rules 17-22).

export function slotOf(
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
