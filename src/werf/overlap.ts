import { isSameOrBelow, joinPaths, relativeBelow } from './config-paths.js';
import type { GitMapping, Import } from './model.js';

// werf's overlap handling between the git mappings and imports of one image
// (werf-stapel.md §2.10, `exportsAutoExcluding`): when one export's
// destination lies inside another's, the outer one gets implicit excludes for
// what the inner one brings; only two exports that claim the same path are an
// error. Exports are taken in werf's order (local git, remote git, imports) and
// rewritten in place, in the same order werf does, because the resulting
// excludes enter stage digests.

export type Export = GitMapping | Import;

export interface ExportConflict {
  /** Indexes into the exports list. */
  first: number;
  second: number;
  /** The destination path both claim, when it is one path (empty when both copy to / whole). */
  path: string;
}

/** Where an export puts files, relative to the image root (`to` without its leading slash). */
function destinationPrefix(e: Export): string {
  return e.to === '/' ? '' : e.to.slice(1);
}

/** Destination include paths: what an export claims, relative to the image root. */
function destinationIncludes(e: Export): string[] {
  const prefix = destinationPrefix(e);
  if (e.includePaths.length === 0 && prefix !== '') return [prefix];
  return e.includePaths.map((p) => joinPaths(prefix, p));
}

/**
 * Paths with the question "is one of them `p` or below it?" (werf's
 * `isSubPath(p, x)`) answered in constant time: scanning every path for every
 * include made two exports with a few thousand includes take seconds.
 */
class PathSet {
  private readonly exact = new Set<string>();
  /** Every `x.slice(0, i)` where `x[i]` is "/": `x` lies below each of them. */
  private readonly parents = new Set<string>();

  constructor(paths: readonly string[]) {
    for (const p of paths) this.add(p);
  }

  add(path: string): void {
    this.exact.add(path);
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) this.parents.add(path.slice(0, i));
  }

  has(path: string): boolean {
    return this.exact.has(path);
  }

  /** `isSameOrBelow(path, x)` for some member x. */
  hasSameOrBelow(path: string): boolean {
    return this.exact.has(path) || this.parents.has(path.replace(/\/+$/, ''));
  }
}

/**
 * Adds to `a` the excludes that keep `b`'s files out of it. Returns the
 * claimed path when the two cannot be separated.
 */
function excludeFrom(a: Export, b: Export): string | undefined {
  if (!isSameOrBelow(a.to, b.to)) return undefined;
  const aClaims = destinationIncludes(a);
  const bIncludes = destinationIncludes(b);
  if (aClaims.length === 0 && bIncludes.length === 0) return a.to;
  const aIncludes = new PathSet(aClaims);
  const prefix = destinationPrefix(a);
  const aExcludes = new PathSet(a.excludePaths.map((p) => joinPaths(prefix, p)));
  for (const p of bIncludes) {
    if (aIncludes.has(p)) return `/${p}`;
    if (aIncludes.hasSameOrBelow(p)) continue;
    if (aExcludes.hasSameOrBelow(p)) continue;
    const exclude = relativeBelow(a.to, joinPaths('/', p));
    a.excludePaths.push(exclude);
    a.implicitExcludePaths.push(exclude);
    aExcludes.add(joinPaths(prefix, exclude)); // later includes of b see it, as werf's loop does
  }
  return undefined;
}

/** Applies §2.10 to the exports of one image; returns the pairs that conflict (each pair once). */
export function autoExcludeOverlaps(exports: Export[]): ExportConflict[] {
  const conflicts: ExportConflict[] = [];
  const reported = new Set<string>();
  exports.forEach((a, i) => {
    exports.forEach((b, j) => {
      if (i === j) return;
      const claimed = excludeFrom(a, b);
      if (claimed === undefined) return;
      const pairKey = i < j ? `${i}:${j}` : `${j}:${i}`;
      if (reported.has(pairKey)) return;
      reported.add(pairKey);
      conflicts.push({ first: Math.min(i, j), second: Math.max(i, j), path: claimed });
    });
  });
  return conflicts;
}
