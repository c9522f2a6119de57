// Local git facts for `plan`: when the project folder is a git work tree,
// local mappings read the commit checked out there (HEAD, committed files
// only, as werf's giterminism does), so the plan shows their real digests.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { gitEnv } from '../git/exec.js';
import { parseLsTree, type TreeEntry } from '../git/tree.js';
import type { Need } from '../plan/facts.js';
import { gitSelectionContentHash } from '../plan/git-content.js';

export interface LocalRepository {
  url: string;
  commit: string;
  tree: TreeEntry[];
}

function git(dir: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', dir, '-c', 'safe.directory=*', ...args], {
    env: gitEnv(),
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** The repository holding `dir` at HEAD, or undefined when `dir` is not in a git work tree with a commit. */
export function readLocalRepository(dir: string): LocalRepository | undefined {
  try {
    const top = git(dir, ['rev-parse', '--show-toplevel']).toString('utf8').trim();
    const commit = git(top, ['rev-parse', '--verify', 'HEAD^{commit}']).toString('utf8').trim();
    const tree = parseLsTree(git(top, ['ls-tree', '-r', '-z', '--full-tree', commit]).toString('utf8'));
    return { url: pathToFileURL(top).href, commit, tree };
  } catch {
    return undefined;
  }
}

/** Answers the content needs of local mappings; errors (a mapping that selects nothing) are returned as text. */
export function answerLocalGitNeeds(
  repo: LocalRepository,
  needs: readonly Need[],
  content: Map<string, string>,
): string[] {
  const problems: string[] = [];
  for (const need of needs) {
    if (need.kind !== 'gitContent' || need.url !== repo.url || content.has(need.key)) continue;
    try {
      content.set(need.key, gitSelectionContentHash(repo.tree, need));
    } catch (e) {
      problems.push(`git mapping add ${need.add}: ${(e as Error).message}`);
    }
  }
  return problems;
}
