import { createHash } from 'node:crypto';
import { type MappingSelection, matchesAny, narrowSelection, type SelectedEntry } from './select.js';

// Content addresses of git input (design.md: content addressed, not commit
// addressed). Formula, for a list of selected entries sorted by relPath in
// UTF-8 byte order:
//
//   hash = "sha256:" + hex SHA-256( "stapel-git-content/v1\0"
//            + for each entry: mode " " oid " " relPath "\0" )
//
// mode is git's (100644, 100755, 120000 = symlink), oid the blob id (for a
// symlink the blob holding its target), relPath the path relative to `add`
// ("" for a file `add`). So the hash changes exactly when a selected file is
// added, removed, renamed, edited, made (non-)executable or re-targeted, and
// never for a file the selection leaves out. The commit id is not an input.
// Owner, group and `to` are not content: the planner mixes them in through
// the mapping's paramsHash (werf-stapel.md §4.5).

const CONTENT_DOMAIN = 'stapel-git-content/v1';

/** The hash of any list of selected entries (sorted by relPath). Same files, same hash, whichever rule selected them. */
export function hashEntries(entries: readonly SelectedEntry[]): string {
  const h = createHash('sha256');
  h.update(`${CONTENT_DOMAIN}\0`);
  for (const e of entries) h.update(`${e.mode} ${e.oid} ${e.relPath}\0`, 'utf8');
  return `sha256:${h.digest('hex')}`;
}

/** Content hash of everything a mapping selects. */
export function mappingContentHash(selection: MappingSelection): string {
  return hashEntries(selection.entries);
}

export interface StageDependenciesHash {
  /** Hash of the union of the files the globs select (same formula); the empty-list hash when none match. */
  hash: string;
  /** How many selected files at least one glob matched. */
  fileCount: number;
  /** Globs that matched nothing (werf logs a warning for each; pitfall 6). */
  unmatchedGlobs: string[];
}

/**
 * The files of a mapping that one stage's `stageDependencies` globs select:
 * entries that pass the mapping's filter and match at least one glob relative
 * to `add` (werf §4.3 G(stage)). Undefined when the stage has no globs, so it
 * does not depend on this mapping's files at all.
 */
export function stageDependenciesHash(
  selection: MappingSelection,
  globs: readonly string[],
): StageDependenciesHash | undefined {
  if (globs.length === 0) return undefined;
  const union = narrowSelection(selection, globs, []).entries;
  return {
    hash: hashEntries(union),
    fileCount: union.length,
    unmatchedGlobs: globs.filter((g) => !union.some((e) => matchesAny(e.relPath, [g]))),
  };
}
