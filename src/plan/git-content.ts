import { hashEntries } from '../git/content-hash.js';
import { gitSelectionHash } from '../git/facts.js';
import type { TreeEntry } from '../git/tree.js';
import type { GitSelection } from './facts.js';

// The `gitContent` fact for one stage's share of a git mapping is the git
// module's selection hash; the reconciler answers every `gitContent` need
// with this function, so the planner and the build agree on what each stage
// copies.

/** Content hash of the files the selection takes; throws the git module's error when the mapping selects nothing. */
export function gitSelectionContentHash(tree: readonly TreeEntry[], selection: GitSelection): string {
  return gitSelectionHash(tree, selection).hash;
}

/** The hash of a share with no files: such a stage copies nothing from the mapping. */
export const EMPTY_GIT_CONTENT = hashEntries([]);
