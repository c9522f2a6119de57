import { GitError } from './errors.js';
import { cleanRelative, passesFilter } from './glob.js';
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
  const addPath = cleanRelative(mapping.add);
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
    if (!passesFilter(relPath, mapping.includePaths, mapping.excludePaths)) continue;
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
