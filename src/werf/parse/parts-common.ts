import { cleanPath, isContainedRelativePath } from '../config-paths.js';
import type { SecretSource, YamlPath } from '../model.js';
import type { Diagnostics, DocumentScope, ModelSourceMap } from './diagnostics.js';

// What the builders of the model's parts share: where they report, and the
// check of relative globs (werf-stapel.md §2.9 rules 14 and 18).

export interface PartContext {
  scope: DocumentScope;
  diagnostics: Diagnostics;
  sourceMap: ModelSourceMap;
}

export const quote = (s: string) => JSON.stringify(s);

export function err(
  ctx: PartContext,
  path: YamlPath,
  message: string,
  at: 'key' | 'value' = 'value',
  about: readonly string[] = [],
) {
  ctx.diagnostics.error(ctx.scope, path, message, 'rule', at, about);
}

/** Path of item `i` of a string-or-list field: the field itself when it was written as one string. */
export function itemPath(ctx: PartContext, field: YamlPath, i: number): YamlPath {
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
