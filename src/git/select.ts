import {
  createPathFilter,
  GlobSyntaxError,
  matchesWerfGlob,
  type PathFilter,
  validateGlob,
} from '../werf/paths.js';
import { GitError } from './errors.js';
import type { TreeEntry, TreeMode } from './tree.js';

// What one git mapping takes from a commit: the entries under `add` that pass
// includePaths/excludePaths, each with its path relative to `add` (werf
// matches every glob against that relative path, §5.2). A file `add` selects
// the single entry with relative path "" (pitfall 6: only universal globs
// such as "" or `**/*` match it).

export interface GitMappingSelector {
  /** Absolute path in the repository (`/` = the whole tree). */
  add: string;
  includePaths: readonly string[];
  excludePaths: readonly string[];
}

export interface SelectedEntry {
  /** Path relative to `add`; "" when `add` is this file. */
  relPath: string;
  /** Path from the repository root. */
  path: string;
  mode: Exclude<TreeMode, '160000'>;
  oid: string;
}

export interface MappingSelection {
  /** A file `add` is renamed to `to`; a directory `add` is merged into `to` (§5.3). */
  addKind: 'file' | 'directory';
  /** Sorted by relPath (UTF-8 byte order), so hashes do not depend on listing order. */
  entries: SelectedEntry[];
  /** Submodules (gitlinks) the filter would have selected: not fetched, not copied, reported. */
  submodules: string[];
}

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The mapping's selection; throws GitMappingInvalid when `add` is missing or nothing is selected. */
export function selectMappingEntries(
  tree: readonly TreeEntry[],
  mapping: GitMappingSelector,
): MappingSelection {
  const addPath = repoPath(mapping.add);
  const filter = pathFilter(mapping);
  const exact = addPath === '' ? undefined : tree.find((e) => e.path === addPath);
  if (exact?.type === 'commit') {
    throw new GitError(
      'GitMappingInvalid',
      `add ${mapping.add} is a git submodule; submodules are not supported`,
    );
  }
  const addKind = exact ? 'file' : 'directory';
  const prefix = addPath === '' ? '' : `${addPath}/`;
  const entries: SelectedEntry[] = [];
  const submodules: string[] = [];
  let underAdd = 0;
  for (const e of tree) {
    let relPath: string;
    if (exact) {
      if (e !== exact) continue;
      relPath = '';
    } else if (e.path.startsWith(prefix)) {
      relPath = e.path.slice(prefix.length);
    } else {
      continue;
    }
    underAdd++;
    if (!filter.selects(relPath)) continue;
    if (e.mode === '160000') submodules.push(e.path);
    else entries.push({ relPath, path: e.path, mode: e.mode, oid: e.oid });
  }
  if (underAdd === 0) {
    throw new GitError(
      'GitMappingInvalid',
      `add ${mapping.add} does not exist in the repository at this commit`,
    );
  }
  if (entries.length === 0) {
    throw new GitError(
      'GitMappingInvalid',
      `the mapping of add ${mapping.add} selects no file (includePaths ${JSON.stringify(mapping.includePaths)}, ` +
        `excludePaths ${JSON.stringify(mapping.excludePaths)})`,
    );
  }
  entries.sort((a, b) => compareBytes(a.relPath, b.relPath));
  return { addKind, entries, submodules };
}

/** `/a/b/` -> `a/b`; `/` -> "". */
function repoPath(add: string): string {
  return add
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** A glob error is a config error of the mapping, reported with the glob. */
function asMappingError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GlobSyntaxError) throw new GitError('GitMappingInvalid', e.message);
    throw e;
  }
}

function pathFilter(mapping: GitMappingSelector): PathFilter {
  return asMappingError(() => createPathFilter(mapping));
}

/** Does the path (relative to `add`) match any of the globs (werf's rules, §5.2)? */
export function matchesAny(relPath: string, globs: readonly string[]): boolean {
  return globs.some((g) => matchesWerfGlob(relPath, g));
}

/**
 * One stage's share of a selection (src/plan README, "Git content"): only
 * entries matching a `selectPaths` glob when there are any, never one
 * matching a `skipPaths` glob. Entries stay sorted.
 */
export function narrowSelection(
  selection: MappingSelection,
  selectPaths: readonly string[],
  skipPaths: readonly string[],
): MappingSelection {
  asMappingError(() => {
    for (const g of [...selectPaths, ...skipPaths]) validateGlob(g);
  });
  if (selectPaths.length === 0 && skipPaths.length === 0) return selection;
  return {
    ...selection,
    entries: selection.entries.filter(
      (e) =>
        (selectPaths.length === 0 || matchesAny(e.relPath, selectPaths)) && !matchesAny(e.relPath, skipPaths),
    ),
  };
}
