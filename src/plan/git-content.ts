import { mappingContentHash } from '../git/content-hash.js';
import { matchesGlob } from '../git/glob.js';
import { selectMappingEntries } from '../git/select.js';
import type { TreeEntry } from '../git/tree.js';
import type { GitSelection } from './facts.js';

// The `gitContent` fact for one stage's share of a git mapping, computed
// from a commit's tree listing with the git module's selection and content
// hash. The reconciler answers every `gitContent` need with this function,
// so the planner and the build agree on what each stage copies.

/** Keeps an entry when it matches one of `selectPaths` (if any) and none of `skipPaths`. */
function inStageShare(relPath: string, selection: GitSelection): boolean {
  if (selection.selectPaths.length > 0 && !selection.selectPaths.some((g) => matchesGlob(relPath, g)))
    return false;
  return !selection.skipPaths.some((g) => matchesGlob(relPath, g));
}

/** Content hash of the files the selection takes; throws the git module's error when the mapping selects nothing. */
export function gitSelectionContentHash(tree: readonly TreeEntry[], selection: GitSelection): string {
  const mapping = selectMappingEntries(tree, selection);
  return mappingContentHash({
    ...mapping,
    entries: mapping.entries.filter((e) => inStageShare(e.relPath, selection)),
  });
}

/** The hash of a share with no files: such a stage copies nothing from the mapping. */
export const EMPTY_GIT_CONTENT = mappingContentHash({ addKind: 'directory', entries: [], submodules: [] });
