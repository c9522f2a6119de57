import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type HttpGitServer, startHttpGitServer } from '../../test/unit/git/git-servers.js';

// The git example's source repository, published on loopback for the run:
// the files of examples/<example>/repo/ committed once into a bare
// repository (fixed author and dates, so every run makes the same commit)
// with tag v1, served over HTTP by `git http-backend`.

const FIXED_DATE = '2026-01-01T00:00:00Z';
const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'stapel demo',
  GIT_AUTHOR_EMAIL: 'demo@stapel.invalid',
  GIT_COMMITTER_NAME: 'stapel demo',
  GIT_COMMITTER_EMAIL: 'demo@stapel.invalid',
  GIT_AUTHOR_DATE: FIXED_DATE,
  GIT_COMMITTER_DATE: FIXED_DATE,
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();
}

/** Makes `<root>/repos/<name>.git` from `sourceDir` (rebuilt each run); returns the commit. */
export function publishRepository(sourceDir: string, root: string, name: string): string {
  if (!existsSync(sourceDir)) throw new Error(`no repository content at ${sourceDir}`);
  const work = join(root, 'work', name);
  const bare = join(root, 'repos', `${name}.git`);
  rmSync(work, { recursive: true, force: true });
  rmSync(bare, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(sourceDir, work, { recursive: true });
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', `${name}: example content`);
  git(work, 'tag', 'v1');
  git(root, 'init', '--bare', '--quiet', '--initial-branch=main', bare);
  git(work, 'push', '--quiet', bare, 'main', 'v1');
  return git(work, 'rev-parse', 'HEAD');
}

/** Serves `<root>/repos/*.git` on 127.0.0.1:port. */
export function serveRepositories(root: string, port: number): Promise<HttpGitServer> {
  return startHttpGitServer(root, undefined, undefined, port);
}
