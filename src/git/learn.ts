import type { Need } from '../plan/facts.js';
import { GitError, type GitErrorReason } from './errors.js';
import type { GitFactsResolver } from './git-facts.js';

// The reconciler's one call for git: answer every git need of a plan pass
// (src/plan/facts.ts `gitCommit`, `gitContent`) into the fact maps the
// planner reads, and collect the warnings werf would log.

export interface GitFactMaps {
  gitCommits: Map<string, string>;
  gitContent: Map<string, string>;
}

export interface GitLearnResult {
  learned: number;
  /** Safe to show (events, status): stageDependencies globs that match no file, as werf warns. */
  warnings: string[];
  /** Mappings whose `add` is a file, as `fileAddKey(url, commit, add)` (a file cannot go to `to: /`). */
  fileAdds: string[];
}

export function fileAddKey(url: string, commit: string, add: string): string {
  return JSON.stringify([url, commit, add]);
}

/** Answers the git needs among `needs` not yet in `facts`; throws the first GitError (see gitFailure). */
export async function learnGitFacts(
  needs: readonly Need[],
  resolver: GitFactsResolver,
  facts: GitFactMaps,
): Promise<GitLearnResult> {
  let learned = 0;
  const warnings: string[] = [];
  const fileAdds: string[] = [];
  const noSource = (url: string) => {
    if (url === '') {
      throw new GitError(
        'GitMappingInvalid',
        'the config has git mappings without url (the project repository) but the ImageBuild names no spec.source.git',
      );
    }
  };
  await Promise.all(
    needs.map(async (need) => {
      if (need.kind === 'gitCommit') {
        if (facts.gitCommits.has(need.key)) return;
        noSource(need.url);
        facts.gitCommits.set(need.key, (await resolver.resolveCommit(need)).commit);
        learned++;
      } else if (need.kind === 'gitContent') {
        if (facts.gitContent.has(need.key)) return;
        noSource(need.url);
        const result = await resolver.contentHash(need);
        if (result.addKind === 'file') fileAdds.push(fileAddKey(need.url, need.commit, need.add));
        for (const glob of result.unmatchedSelectPaths) {
          const hint =
            result.addKind === 'file'
              ? `; add ${need.add} is a file and globs are relative to it, so only "" or "**/*" match it`
              : '';
          warnings.push(
            `stageDependencies glob ${JSON.stringify(glob)} of add ${need.add} matches no file${hint}`,
          );
        }
        facts.gitContent.set(need.key, result.hash);
        learned++;
      }
    }),
  );
  return { learned, warnings: [...new Set(warnings)].sort(), fileAdds };
}

export interface GitFailure {
  /** Condition reason for Stalled (or Reconciling when `retry`). */
  reason: GitErrorReason;
  /** Already redacted. */
  message: string;
  /** Network trouble: try again later instead of stalling. */
  retry: boolean;
}

/** How the reconciler reports a git error; undefined when the error is not from git. */
export function gitFailure(e: unknown): GitFailure | undefined {
  if (!(e instanceof GitError)) return undefined;
  return { reason: e.reason, message: e.message, retry: e.reason === 'GitFetchFailed' };
}
