import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, GitError } from '../../../src/git/errors.js';
import { computeMappingFacts, type GitMappingInput } from '../../../src/git/facts.js';
import { GitFactsResolver } from '../../../src/git/git-facts.js';
import { GitRepositoryCache } from '../../../src/git/repository.js';
import {
  type HttpGitServer,
  makeTempRoot,
  startGitDaemon,
  startHttpGitServer,
  TestRepo,
} from './git-servers.js';

const root = makeTempRoot();
const cache = new GitRepositoryCache({ dir: join(root, 'cache'), allowFileUrls: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<GitError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GitError);
    return e as GitError;
  }
  throw new Error('expected a rejection');
}

describe('resolve', () => {
  const repo = new TestRepo(root, 'resolve');
  const c1 = repo.commit({ 'a.txt': 'one' });
  repo.tag('v1');
  repo.tag('v1-annotated', true);
  repo.branch('release');
  const c2 = repo.commit({ 'a.txt': 'two' });
  const remote = { url: repo.fileUrl };

  it('resolves a branch, a tag (annotated to its commit), a commit and the default HEAD', async () => {
    expect(await cache.resolve(remote, { kind: 'any', name: 'main' })).toEqual({
      commit: c2,
      ref: 'refs/heads/main',
    });
    expect(await cache.resolve(remote, { kind: 'branch', name: 'release' })).toMatchObject({ commit: c1 });
    expect(await cache.resolve(remote, { kind: 'any', name: 'v1' })).toEqual({
      commit: c1,
      ref: 'refs/tags/v1',
    });
    expect(await cache.resolve(remote, { kind: 'tag', name: 'v1-annotated' })).toMatchObject({ commit: c1 });
    expect(await cache.resolve(remote, { kind: 'any', name: c1 })).toEqual({ commit: c1 });
    expect(await cache.resolve(remote, { kind: 'default' })).toEqual({ commit: c2, ref: 'HEAD' });
  });

  it('names a missing revision clearly', async () => {
    const e = await rejection(cache.resolve(remote, { kind: 'any', name: 'nope' }));
    expect(e.reason).toBe('GitRevisionNotFound');
    expect(e.message).toBe(
      `revision "nope" does not exist in the repository (looked for a tag, a branch and a full commit id): ${repo.fileUrl}`,
    );
    const short = await rejection(cache.resolve(remote, { kind: 'any', name: c1.slice(0, 8) }));
    expect(short.message).toMatch(/abbreviated commit ids are not supported/);
    expect((await rejection(cache.resolve(remote, { kind: 'branch', name: 'v1' }))).message).toMatch(
      /^branch "v1" does not exist/,
    );
  });

  it('fails a fetch of a commit the repository does not have', async () => {
    const e = await rejection(cache.fetch(remote, 'f'.repeat(40)));
    expect(e.reason).toBe('GitRevisionNotFound');
    expect(e.message).toContain('f'.repeat(40));
  });

  it('refuses file:// unless allowed, and URLs that are not git remotes', async () => {
    const strict = new GitRepositoryCache({ dir: join(root, 'strict') });
    expect((await rejection(strict.resolve(remote, { kind: 'default' }))).message).toMatch(
      /file:\/\/ repositories are not allowed/,
    );
    expect(
      (await rejection(strict.resolve({ url: '--upload-pack=touch /tmp/x' }, { kind: 'default' }))).message,
    ).toMatch(/unsupported repository URL/);
  });
});

describe('fetch and content hashes over http and git://', () => {
  let http: HttpGitServer;
  const repo = new TestRepo(root, 'content');
  const mapping: GitMappingInput = {
    add: '/app',
    includePaths: [],
    excludePaths: ['*.md'],
    stageDependencies: { install: ['package.json'], beforeSetup: [], setup: ['src'] },
  };
  const c1 = repo.commit({
    'app/package.json': '{}',
    'app/src/main.js': 'v1',
    'app/README.md': 'doc',
    'app/run.sh': { exec: '#!/bin/sh' },
    'app/current': { link: 'src/main.js' },
    'other/x': 'x',
  });
  const cUnmapped = repo.commit({ 'other/x': 'changed', 'app/README.md': 'more doc' });
  const cSetup = repo.commit({ 'app/src/main.js': 'v2' });
  const cInstall = repo.commit({ 'app/package.json': '{"a":1}' });
  const cMode = repo.commit({ 'app/run.sh': '#!/bin/sh' });

  beforeAll(async () => {
    http = await startHttpGitServer(root);
  });
  afterAll(() => http.close());

  async function factsAt(url: string, commit: string) {
    const snapshot = await cache.fetch({ url }, commit);
    return computeMappingFacts(await snapshot.listTree(), mapping);
  }

  it('lists modes and symlinks of a fetched commit', async () => {
    const snapshot = await cache.fetch({ url: http.urlOf('content') }, c1);
    const tree = await snapshot.listTree();
    expect(tree.find((e) => e.path === 'app/run.sh')?.mode).toBe('100755');
    expect(tree.find((e) => e.path === 'app/current')?.mode).toBe('120000');
    expect((await snapshot.readFile('app/current'))?.toString()).toBe('src/main.js');
    expect((await snapshot.readFile('/app/src/main.js'))?.toString()).toBe('v1');
    expect(await snapshot.readFile('app/src')).toBeUndefined();
  });

  it('changes the content hash exactly when a selected file changes', async () => {
    const url = http.urlOf('content');
    const f1 = await factsAt(url, c1);
    const unmapped = await factsAt(url, cUnmapped);
    const setup = await factsAt(url, cSetup);
    const install = await factsAt(url, cInstall);
    const mode = await factsAt(url, cMode);
    expect(unmapped).toEqual(f1);
    expect(setup.contentHash).not.toBe(f1.contentHash);
    expect(setup.stageDependencies.setup?.hash).not.toBe(f1.stageDependencies.setup?.hash);
    expect(setup.stageDependencies.install?.hash).toBe(f1.stageDependencies.install?.hash);
    expect(install.stageDependencies.install?.hash).not.toBe(setup.stageDependencies.install?.hash);
    expect(install.stageDependencies.setup?.hash).toBe(setup.stageDependencies.setup?.hash);
    expect(mode.contentHash).not.toBe(install.contentHash);
    expect(mode.stageDependencies.setup?.hash).toBe(install.stageDependencies.setup?.hash);
  });

  it('reads the files under a sub path for templates (.Files), without symlinks, within a size limit', async () => {
    const snapshot = await cache.fetch({ url: repo.fileUrl }, c1);
    const files = await snapshot.readFiles('app');
    expect(Object.fromEntries(files)).toEqual({
      'package.json': '{}',
      'src/main.js': 'v1',
      'README.md': 'doc',
      'run.sh': '#!/bin/sh',
    });
    expect([...(await snapshot.readFiles('/')).keys()].sort()).toEqual([
      'app/README.md',
      'app/package.json',
      'app/run.sh',
      'app/src/main.js',
      'other/x',
    ]);
    await expect(snapshot.readFiles('', 8)).rejects.toThrow(/exceed 8 bytes/);
  });

  it('gives the same facts through git daemon, http and file://', async () => {
    const daemon = await startGitDaemon(root);
    try {
      const viaDaemon = await factsAt(daemon.urlOf('content'), cSetup);
      expect(viaDaemon).toEqual(await factsAt(http.urlOf('content'), cSetup));
      expect(viaDaemon).toEqual(await factsAt(repo.fileUrl, cSetup));
      expect(
        await cache.resolve({ url: daemon.urlOf('content') }, { kind: 'any', name: 'main' }),
      ).toMatchObject({
        commit: cMode,
      });
    } finally {
      await daemon.close();
    }
  });

  it('fetches a commit once and serves it from the cache afterwards', async () => {
    const url = http.urlOf('content');
    await cache.fetch({ url }, cInstall);
    const seen = http.requests.length;
    const [a, b] = await Promise.all([cache.fetch({ url }, cInstall), cache.fetch({ url }, cInstall)]);
    expect(http.requests.length).toBe(seen);
    expect(a.gitDir).toBe(b.gitDir);
    expect(readdirSync(join(root, 'cache')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});

describe('private repository over http with Basic auth', () => {
  const password = 'S3cr3t-t0ken-value-9f8e7d';
  let http: HttpGitServer;
  const repo = new TestRepo(root, 'private');
  const commit = repo.commit({ 'f.txt': 'private' });

  beforeAll(async () => {
    http = await startHttpGitServer(root, { username: 'bot', password });
  });
  afterAll(() => http.close());

  it('resolves and fetches with the right credential', async () => {
    const credentials = { kind: 'basic' as const, username: 'bot', password };
    const url = http.urlOf('private');
    expect(await cache.resolve({ url, credentials }, { kind: 'any', name: 'main' })).toMatchObject({
      commit,
    });
    const snapshot = await cache.fetch({ url, credentials }, commit);
    expect((await snapshot.readFile('f.txt'))?.toString()).toBe('private');
  });

  it('fails with a typed auth error for a wrong or missing credential, never echoing the secret', async () => {
    const wrong = `${password}-wrong`;
    const url = http.urlOf('private');
    const errors = [
      await rejection(
        cache.resolve(
          { url, credentials: { kind: 'basic', username: 'bot', password: wrong } },
          { kind: 'default' },
        ),
      ),
      await rejection(
        cache.fetch(
          { url, credentials: { kind: 'basic', username: 'bot', password: wrong } },
          '0123456789abcdef0123456789abcdef01234567',
        ),
      ),
      await rejection(cache.resolve({ url }, { kind: 'default' })),
      // userinfo in the URL is taken as the credential and masked in every message.
      await rejection(
        cache.resolve({ url: url.replace('http://', `http://bot:${wrong}@`) }, { kind: 'default' }),
      ),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(GitAuthError);
      expect(e.reason).toBe('GitAuth');
      const text = `${e.message}\n${e.stack}\n${JSON.stringify(e)}`;
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(`bot:${wrong}`).toString('base64'));
    }
    expect(errors[0]!.message).toContain(url);
  });

  it("answers planner needs per pass, and a cached commit still needs this pass's credentials", async () => {
    const url = http.urlOf('private');
    const good = new GitFactsResolver({
      cache,
      credentialsFor: () => ({ kind: 'basic', username: 'bot', password }),
    });
    const { commit: head } = await good.resolveCommit({ url, ref: 'HEAD' });
    expect(head).toBe(commit);
    expect(await good.resolveCommit({ url, ref: 'refs/heads/main' })).toEqual({
      commit,
      ref: 'refs/heads/main',
    });
    const query = {
      url,
      commit,
      add: '/',
      includePaths: [],
      excludePaths: [],
      selectPaths: [],
      skipPaths: [],
    };
    const lists = () => http.requests.filter((r) => r.path.endsWith('/info/refs') && r.authorization).length;
    const before = lists();
    expect((await good.contentHash(query)).fileCount).toBe(1);
    expect(lists()).toBe(before); // the refs were listed once in this pass

    // The commit is in the cache now; a pass without the right Secret must not read it.
    const anonymous = new GitFactsResolver({ cache, credentialsFor: () => undefined });
    await expect(anonymous.contentHash(query)).rejects.toBeInstanceOf(GitAuthError);
    const wrong = new GitFactsResolver({
      cache,
      credentialsFor: () => ({ kind: 'basic', username: 'bot', password: 'not-the-password' }),
    });
    await expect(wrong.contentHash(query)).rejects.toMatchObject({ reason: 'GitAuth' });
  });

  it('never puts the credential in any process argument list or environment while git runs', async () => {
    const seen: string[] = [];
    let scans = 0;
    const scanProc = async () => {
      scans++;
      for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        for (const file of ['cmdline', 'environ']) {
          try {
            if (readFileSync(`/proc/${pid}/${file}`).includes(password)) seen.push(`${pid}/${file}`);
          } catch {
            // the process ended meanwhile, or is not ours to read
          }
        }
      }
    };
    const watched = await startHttpGitServer(root, { username: 'bot', password }, scanProc);
    try {
      const credentials = { kind: 'basic' as const, username: 'bot', password };
      const url = watched.urlOf('private');
      await cache.resolve({ url, credentials }, { kind: 'default' });
      await new GitRepositoryCache({ dir: join(root, 'cache-proc') }).fetch({ url, credentials }, commit);
    } finally {
      await watched.close();
    }
    expect(scans).toBeGreaterThan(1);
    expect(seen).toEqual([]);
  });
});
