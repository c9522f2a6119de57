import type { GitCredentials } from './credentials.js';
import { type GitSelectionHash, type GitSelectionQuery, gitSelectionHash } from './facts.js';
import { type GitRepositoryCache, pickRevisionAt, type RemoteRefs } from './repository.js';
import { type ResolvedRevision, revisionRequest } from './revision.js';

// Answers the planner's git needs (src/plan/facts.ts: `gitCommit` and
// `gitContent`) for one reconcile pass of one ImageBuild. Create one per
// pass. Each remote is listed once per pass with this ImageBuild's
// credentials (`git ls-remote`) before anything about it is answered: a
// commit served from the shared cache must never skip that check, because
// another ImageBuild, with other credentials, may have fetched it.

export interface GitFactsOptions {
  cache: GitRepositoryCache;
  /** The credentials for a remote URL (from the ImageBuild's Secret), or undefined for a public one. */
  credentialsFor(url: string): GitCredentials | undefined;
  /**
   * Content hashes shared across passes (and ImageBuilds): they depend only
   * on URL, commit and selection. An entry is used only after this pass
   * listed the remote with its own credentials.
   */
  contentCache?: Map<string, GitSelectionHash>;
}

const CONTENT_CACHE_MAX = 10_000;

export class GitFactsResolver {
  private readonly refs = new Map<string, Promise<RemoteRefs>>();

  constructor(private readonly options: GitFactsOptions) {}

  /**
   * A `gitCommit` need: `ref` is `HEAD`, a full ref (`refs/heads/x`,
   * `refs/tags/v1`), a branch or tag name, or a full commit id.
   */
  async resolveCommit(need: { url: string; ref: string }): Promise<ResolvedRevision> {
    return pickRevisionAt(await this.listRefs(need.url), revisionRequest(need.ref));
  }

  /** A `gitContent` need: the content hash of a stage's share of a mapping at a commit. */
  async contentHash(need: GitSelectionQuery & { url: string; commit: string }): Promise<GitSelectionHash> {
    await this.listRefs(need.url);
    const cache = this.options.contentCache;
    const key = JSON.stringify([
      need.url,
      need.commit,
      need.add,
      need.includePaths,
      need.excludePaths,
      need.selectPaths,
      need.skipPaths,
    ]);
    const hit = cache?.get(key);
    if (hit) return hit;
    const snapshot = await this.options.cache.fetch(this.remote(need.url), need.commit);
    const result = gitSelectionHash(await snapshot.listTree(), need);
    if (cache) {
      if (cache.size >= CONTENT_CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(key, result);
    }
    return result;
  }

  private listRefs(url: string): Promise<RemoteRefs> {
    let refs = this.refs.get(url);
    if (!refs) {
      refs = this.options.cache.listRefs(this.remote(url));
      this.refs.set(url, refs);
    }
    return refs;
  }

  private remote(url: string) {
    return { url, credentials: this.options.credentialsFor(url) };
  }
}
