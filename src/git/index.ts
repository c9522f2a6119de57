// The git source's public interface. Everything else in src/git is internal.
//
// Reconciler (per ImageBuild, per repository):
//   const cache = new GitRepositoryCache({ dir });
//   const { commit } = await cache.resolve({ url, credentials }, revisionRequest(spec.revision));
//   const snapshot = await cache.fetch({ url, credentials }, commit);
//   const tree = await snapshot.listTree();            // also snapshot.readFile(path) for werf.yaml / .Files
//   const facts = computeMappingFacts(tree, mapping);  // pure; per mapping: contentHash, stageDependencies, addKind
// Prepare (build pod):
//   await layoutGitMapping({ snapshot, mapping, destDir, expectedContentHash })

export { mappingContentHash, type StageDependenciesHash, stageDependenciesHash } from './content-hash.js';
export {
  credentialsFromData,
  credentialsFromSecretData,
  credentialsFromSecretDir,
  type GitCredentials,
  SECRET_KEYS,
} from './credentials.js';
export { GitAuthError, GitError, type GitErrorReason, isGitError } from './errors.js';
export {
  computeMappingFacts,
  GIT_DEPENDENCY_STAGES,
  type GitDependencyStage,
  type GitMappingFacts,
  type GitMappingInput,
  type GitSelectionHash,
  type GitSelectionQuery,
  gitSelectionHash,
} from './facts.js';
export {
  type GitLayoutPlan,
  gitMappingCopy,
  type LayoutGitMappingInput,
  type LayoutGitMappingResult,
  layoutGitMapping,
  planGitLayout,
} from './layout.js';
export { type PrepareGitOptions, prepareGitEntries } from './prepare-git.js';
export { redactText, redactUrl } from './redact.js';
export {
  type GitRemote,
  GitRepositoryCache,
  type GitRepositoryCacheOptions,
  GitSnapshot,
} from './repository.js';
export {
  mappingRevisionRequest,
  type ResolvedRevision,
  type RevisionRequest,
  revisionRequest,
} from './revision.js';
export { type GitMappingSelector, type MappingSelection, selectMappingEntries } from './select.js';
export { parseLsTree, type TreeEntry } from './tree.js';
