// The git source's public interface. Everything else in src/git is internal.
//
// Reconciler, once per process:   const cache = new GitRepositoryCache({ dir });
// Reconciler, once per pass:      const git = new GitFactsResolver({ cache, credentialsFor });
//   plan need gitCommit  {url, ref}        -> (await git.resolveCommit(need)).commit
//   plan need gitContent {url, commit, add, includePaths, excludePaths, selectPaths, skipPaths}
//                                          -> (await git.contentHash(need)).hash
//   werf.yaml / .Files from the repository: (await cache.fetch(remote, commit)).readFile(path) / .readFiles(subPath)
//   errors: GitError with .reason (GitAuth -> Stalled/GitAuth; GitRevisionNotFound, GitMappingInvalid,
//           GitCredentialsInvalid -> Stalled; GitFetchFailed -> retry); messages are safe to show.
// Secret -> credentials: credentialsFromSecretData(secret.data, url)
// Prepare (build pod): prepareGitEntries(spec.git, { workspace, cacheDir })

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
export { type GitFactsOptions, GitFactsResolver } from './git-facts.js';
export {
  type GitLayoutPlan,
  gitMappingCopy,
  type LayoutGitMappingInput,
  type LayoutGitMappingResult,
  layoutGitMapping,
  planGitLayout,
} from './layout.js';
export {
  fileAddKey,
  type GitFactMaps,
  type GitFailure,
  type GitLearnResult,
  gitFailure,
  learnGitFacts,
} from './learn.js';
export { type PrepareGitOptions, prepareGitEntries } from './prepare-git.js';
export { redactText, redactUrl } from './redact.js';
export {
  type GitRemote,
  GitRepositoryCache,
  type GitRepositoryCacheOptions,
  GitSnapshot,
  pickRevisionAt,
  type RemoteRefs,
} from './repository.js';
export {
  mappingRevisionRequest,
  type ResolvedRevision,
  type RevisionRequest,
  revisionRequest,
} from './revision.js';
export {
  credentialsApply,
  type GitSecretRule,
  gitSecretRuleFor,
  gitSecretRules,
  remoteLocation,
  remoteOrigin,
  urlUnderPrefix,
} from './scope.js';
export { type GitMappingSelector, type MappingSelection, selectMappingEntries } from './select.js';
export { parseLsTree, type TreeEntry } from './tree.js';
