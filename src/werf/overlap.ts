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

/** Destination include paths: what an export claims, relative to the image root. */
function destinationIncludes(e: Export): string[] {
  const prefix = e.to === '/' ? '' : e.to.slice(1);
  if (e.includePaths.length === 0 && prefix !== '') return [prefix];
  return e.includePaths.map((p) => joinPaths(prefix, p));
}

function destinationExcludes(e: Export): string[] {
  const prefix = e.to === '/' ? '' : e.to.slice(1);
  return e.excludePaths.map((p) => joinPaths(prefix, p));
}

/**
 * Adds to `a` the excludes that keep `b`'s files out of it. Returns the
 * claimed path when the two cannot be separated.
 */
function excludeFrom(a: Export, b: Export): string | undefined {
  if (!isSameOrBelow(a.to, b.to)) return undefined;
  const aIncludes = destinationIncludes(a);
  const bIncludes = destinationIncludes(b);
  if (aIncludes.length === 0 && bIncludes.length === 0) return a.to;
  for (const p of bIncludes) {
    if (aIncludes.includes(p)) return `/${p}`;
    if (aIncludes.some((x) => isSameOrBelow(p, x))) continue;
    if (destinationExcludes(a).some((x) => isSameOrBelow(p, x))) continue;
    const exclude = relativeBelow(a.to, joinPaths('/', p));
    a.excludePaths.push(exclude);
    a.implicitExcludePaths.push(exclude);
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
