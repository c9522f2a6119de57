import { isAbsolute, join } from 'node:path';
import type { PrepareGit } from '../plan/prepare-spec.js';
import { credentialsFromSecretDir } from './credentials.js';
import { GitError } from './errors.js';
import { type LayoutGitMappingResult, layoutGitMapping } from './layout.js';
import { GitRepositoryCache } from './repository.js';

// What the `prepare` CLI calls for the spec's `git` entries: fetch each
// commit (once per URL + commit) and lay out the mapping under
// `<workspace>/<entry.dir>`, checking the content against the plan's hash.

export interface PrepareGitOptions {
  workspace: string;
  /** Where fetched repositories go inside the pod (e.g. `<workspace>/.git-cache`, never copied by COPY). */
  cacheDir: string;
  /** file:// remotes: tests and local runs only. */
  allowFileUrls?: boolean;
}

export async function prepareGitEntries(
  entries: readonly PrepareGit[],
  options: PrepareGitOptions,
): Promise<LayoutGitMappingResult[]> {
  const cache = new GitRepositoryCache({ dir: options.cacheDir, allowFileUrls: options.allowFileUrls });
  const results: LayoutGitMappingResult[] = [];
  for (const entry of entries) {
    if (isAbsolute(entry.dir) || entry.dir.split('/').some((s) => s === '..')) {
      throw new GitError(
        'GitMappingInvalid',
        `git entry dir ${JSON.stringify(entry.dir)} must be relative to the workspace`,
      );
    }
    const credentials = entry.credentialsDir
      ? await credentialsFromSecretDir(entry.credentialsDir, entry.url)
      : undefined;
    const snapshot = await cache.fetch({ url: entry.url, credentials }, entry.commit);
    results.push(
      await layoutGitMapping({
        snapshot,
        mapping: entry,
        destDir: join(options.workspace, entry.dir),
        expectedContentHash: entry.expectedContentHash,
      }),
    );
  }
  return results;
}
