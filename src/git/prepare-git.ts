import { rename, rmdir } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
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
    for (const rel of [entry.dir, entry.path]) {
      if (isAbsolute(rel) || rel.split('/').some((s) => s === '..')) {
        throw new GitError(
          'GitMappingInvalid',
          `git entry path ${JSON.stringify(rel)} must be relative to the workspace`,
        );
      }
    }
    const credentials = entry.credentialsDir
      ? await credentialsFromSecretDir(entry.credentialsDir, entry.url)
      : undefined;
    const snapshot = await cache.fetch({ url: entry.url, credentials }, entry.commit);
    // The spec's contract: the entry at `add` ends up at `path` (a folder of
    // the selected files, or the file itself), which the Dockerfile copies to
    // `to`. Lay out in a scratch folder, then move the entry into place.
    const scratch = join(options.workspace, entry.dir, '.layout');
    const result = await layoutGitMapping({
      snapshot,
      mapping: entry,
      destDir: scratch,
      expectedContentHash: entry.expectedContentHash,
    });
    const target = join(options.workspace, entry.path);
    if (result.addKind === 'directory') await rename(scratch, target);
    else {
      await rename(join(scratch, posix.basename(posix.normalize(entry.to))), target);
      await rmdir(scratch);
    }
    results.push(result);
  }
  return results;
}
