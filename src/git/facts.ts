import {
  hashEntries,
  mappingContentHash,
  type StageDependenciesHash,
  stageDependenciesHash,
} from './content-hash.js';
import { type GitMappingSelector, matchesAny, narrowSelection, selectMappingEntries } from './select.js';
import type { TreeEntry } from './tree.js';

// Everything the planner needs to know about one git mapping at one commit,
// computed purely from the commit's tree listing.

export type GitDependencyStage = 'install' | 'beforeSetup' | 'setup';
export const GIT_DEPENDENCY_STAGES: readonly GitDependencyStage[] = ['install', 'beforeSetup', 'setup'];

export interface GitMappingInput extends GitMappingSelector {
  stageDependencies: Readonly<Record<GitDependencyStage, readonly string[]>>;
}

export interface GitMappingFacts {
  addKind: 'file' | 'directory';
  /** See content-hash.ts for the formula. */
  contentHash: string;
  fileCount: number;
  /** Per stage; absent for a stage without globs in this mapping. */
  stageDependencies: Partial<Record<GitDependencyStage, StageDependenciesHash>>;
  /** Human-readable, safe to show in status/events: unmatched globs, skipped submodules. */
  warnings: string[];
}

export function computeMappingFacts(tree: readonly TreeEntry[], mapping: GitMappingInput): GitMappingFacts {
  const selection = selectMappingEntries(tree, mapping);
  const warnings: string[] = [];
  const stageDependencies: Partial<Record<GitDependencyStage, StageDependenciesHash>> = {};
  for (const stage of GIT_DEPENDENCY_STAGES) {
    const result = stageDependenciesHash(selection, mapping.stageDependencies[stage]);
    if (!result) continue;
    stageDependencies[stage] = result;
    for (const glob of result.unmatchedGlobs) {
      const hint =
        selection.addKind === 'file'
          ? `; add ${mapping.add} is a file and globs are relative to it, so only "" or "**/*" match it`
          : '';
      warnings.push(
        `stageDependencies.${stage} glob ${JSON.stringify(glob)} of add ${mapping.add} matches no file${hint}`,
      );
    }
  }
  if (selection.submodules.length > 0) {
    warnings.push(
      `add ${mapping.add}: submodules are not fetched and not copied: ${selection.submodules.join(', ')}`,
    );
  }
  return {
    addKind: selection.addKind,
    contentHash: mappingContentHash(selection),
    fileCount: selection.entries.length,
    stageDependencies,
    warnings,
  };
}

/**
 * The planner's generic git question (src/plan/facts.ts GitSelection): the
 * mapping's filter, then only paths matching a `selectPaths` glob (when
 * there are any), never a path matching a `skipPaths` glob; all globs
 * relative to `add`. With both lists empty this is the mapping's content
 * hash; with a stage's stageDependencies as selectPaths it is that stage's
 * dependency hash.
 */
export interface GitSelectionQuery extends GitMappingSelector {
  selectPaths: readonly string[];
  skipPaths: readonly string[];
}

export interface GitSelectionHash {
  hash: string;
  fileCount: number;
  addKind: 'file' | 'directory';
  /** selectPaths globs that matched no file (werf warns about each; see pitfall 6). */
  unmatchedSelectPaths: string[];
}

export function gitSelectionHash(tree: readonly TreeEntry[], query: GitSelectionQuery): GitSelectionHash {
  const selection = selectMappingEntries(tree, query);
  const share = narrowSelection(selection, query.selectPaths, query.skipPaths).entries;
  const unmatchedSelectPaths = query.selectPaths.filter(
    (g) => !selection.entries.some((e) => matchesAny(e.relPath, [g])),
  );
  return {
    hash: hashEntries(share),
    fileCount: share.length,
    addKind: selection.addKind,
    unmatchedSelectPaths,
  };
}
