import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/errors.js';
import { computeMappingFacts } from '../../../src/git/facts.js';
import { gitMappingCopy, layoutGitMapping, planGitLayout } from '../../../src/git/layout.js';
import { prepareGitEntries } from '../../../src/git/prepare-git.js';
import { GitRepositoryCache } from '../../../src/git/repository.js';
import { selectMappingEntries } from '../../../src/git/select.js';
import { makeTempRoot, startHttpGitServer, TestRepo } from './git-servers.js';

const root = makeTempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cache = new GitRepositoryCache({ dir: join(root, 'cache'), allowFileUrls: true });

const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'x').toString();
const repo = new TestRepo(root, 'layout');
const commit = repo.commit({
  'app/src/main.js': 'main',
  'app/src/util.js': 'same',
  'app/src/copy.js': 'same',
  'app/src/empty.js': '',
  'app/src/big.bin': big,
  'app/src/main.test.js': 'test',
  'app/bin/run': { exec: '#!/bin/sh\necho run\n' },
  'app/current': { link: 'src/main.js' },
  'app/docs/readme.md': 'doc',
  'config/app.conf': 'conf',
  'top.txt': 'top',
});
const snapshot = () => cache.fetch({ url: repo.fileUrl }, commit);

/** Every path under dir with its kind and permission bits. */
function walk(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const rel = prefix + name;
    const st = lstatSync(full);
    const mode = (st.mode & 0o777).toString(8);
    if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(full)}`;
    else if (st.isDirectory()) {
      out[`${rel}/`] = `dir ${mode}`;
      Object.assign(out, walk(full, `${rel}/`));
    } else out[rel] = `file ${mode}`;
  }
  return out;
}

describe('layoutGitMapping', () => {
  it('writes exactly the selected files of a directory add, with modes, symlinks and folders', async () => {
    const dest = join(root, 'ws1', 'git', '0');
    const mapping = {
      add: '/app',
      to: '/srv/app',
      includePaths: ['src', 'bin', 'current'],
      excludePaths: ['**/*.test.js'],
    };
    const s = await snapshot();
    const result = await layoutGitMapping({ snapshot: s, mapping, destDir: dest });
    expect(walk(dest)).toEqual({
      'bin/': 'dir 775',
      'bin/run': 'file 755',
      current: 'link -> src/main.js',
      'src/': 'dir 775',
      'src/big.bin': 'file 644',
      'src/copy.js': 'file 644',
      'src/empty.js': 'file 644',
      'src/main.js': 'file 644',
      'src/util.js': 'file 644',
    });
    expect(readFileSync(join(dest, 'src/big.bin'), 'utf8')).toBe(big);
    expect(readFileSync(join(dest, 'src/copy.js'), 'utf8')).toBe('same');
    expect(readFileSync(join(dest, 'src/util.js'), 'utf8')).toBe('same');
    expect(readFileSync(join(dest, 'src/empty.js'), 'utf8')).toBe('');
    expect(readFileSync(join(dest, 'bin/run'), 'utf8')).toBe('#!/bin/sh\necho run\n');
    const facts = computeMappingFacts(await s.listTree(), {
      ...mapping,
      stageDependencies: { install: [], beforeSetup: [], setup: [] },
    });
    expect(result).toMatchObject({ addKind: 'directory', contentHash: facts.contentHash, fileCount: 7 });
  });

  // werf-pitfalls.md #7: a file `add` is renamed to `to`.
  it('renames a single file to the basename of `to` (pitfall 7)', async () => {
    const dest = join(root, 'ws2', 'git', '0');
    const mapping = { add: '/config/app.conf', to: '/etc/app/real.conf', includePaths: [], excludePaths: [] };
    const result = await layoutGitMapping({ snapshot: await snapshot(), mapping, destDir: dest });
    expect(walk(dest)).toEqual({ 'real.conf': 'file 644' });
    expect(readFileSync(join(dest, 'real.conf'), 'utf8')).toBe('conf');
    expect(result.addKind).toBe('file');
    expect(gitMappingCopy('git/0', result.addKind, mapping.to)).toEqual({
      source: 'git/0/real.conf',
      destination: '/etc/app/real.conf',
    });
  });

  it('refuses `to: /` for a file add, and a content hash other than the plan expected', async () => {
    const s = await snapshot();
    const fileToRoot = layoutGitMapping({
      snapshot: s,
      mapping: { add: '/top.txt', to: '/', includePaths: [], excludePaths: [] },
      destDir: join(root, 'ws3'),
    });
    await expect(fileToRoot).rejects.toThrow('to "/" must name a file when add is a file');
    const dest = join(root, 'ws4');
    const mismatch = layoutGitMapping({
      snapshot: s,
      mapping: { add: '/app/docs', to: '/docs', includePaths: [], excludePaths: [] },
      destDir: dest,
      expectedContentHash: `sha256:${'0'.repeat(64)}`,
    });
    await expect(mismatch).rejects.toBeInstanceOf(GitError);
    await expect(mismatch).rejects.toThrow(/the plan expected sha256:0{64}/);
    expect(() => readdirSync(dest)).toThrow(/ENOENT/);
  });

  it('merges a whole-repository add into `to`', async () => {
    const dest = join(root, 'ws5');
    const mapping = { add: '/', to: '/', includePaths: ['top.txt', 'config/**'], excludePaths: [] };
    await layoutGitMapping({ snapshot: await snapshot(), mapping, destDir: dest });
    expect(walk(dest)).toEqual({
      'config/': 'dir 775',
      'config/app.conf': 'file 644',
      'top.txt': 'file 644',
    });
    expect(gitMappingCopy('git/1/', 'directory', '/')).toEqual({ source: 'git/1/', destination: '/' });
  });
});

describe('planGitLayout', () => {
  it('rejects repository paths that would leave the destination', () => {
    const selection = {
      addKind: 'directory' as const,
      entries: [{ relPath: 'a/../../etc/passwd', path: 'x', mode: '100644' as const, oid: '1'.repeat(40) }],
      submodules: [],
    };
    expect(() => planGitLayout(selection, '/app')).toThrow(/not a plain relative path/);
  });
  it('creates parent folders before children', () => {
    const tree = ['a/b/c/d', 'a/x', 'e/f'].map((path, i) => ({
      path,
      mode: '100644' as const,
      type: 'blob' as const,
      oid: String(i).repeat(40),
    }));
    const plan = planGitLayout(
      selectMappingEntries(tree, { add: '/', includePaths: [], excludePaths: [] }),
      '/',
    );
    expect(plan.dirs).toEqual(['a', 'e', 'a/b', 'a/b/c']);
  });
});

describe('prepareGitEntries (the prepare CLI side)', () => {
  it('fetches a private repository with a mounted Secret and lays out every entry', async () => {
    const password = 'prepare-secret-token-1234';
    const http = await startHttpGitServer(root, { username: 'bot', password });
    try {
      const secretDir = join(root, 'secret');
      mkdirSync(secretDir);
      writeFileSync(join(secretDir, 'username'), 'bot');
      writeFileSync(join(secretDir, 'password'), password);
      const workspace = join(root, 'prepare-ws');
      const s = await snapshot();
      const docs = {
        add: '/app/docs',
        to: '/docs',
        includePaths: [],
        excludePaths: [],
        selectPaths: [],
        skipPaths: [],
      };
      const expected = computeMappingFacts(await s.listTree(), {
        ...docs,
        stageDependencies: { install: [], beforeSetup: [], setup: [] },
      }).contentHash;
      const entry = { url: http.urlOf('layout'), commit, credentialsDir: secretDir };
      const results = await prepareGitEntries(
        [
          { ...entry, dir: 'git/0', path: 'git/0/docs', ...docs, expectedContentHash: expected },
          {
            ...entry,
            dir: 'git/1',
            path: 'git/1/app.conf',
            selectPaths: [],
            skipPaths: [],
            add: '/config/app.conf',
            to: '/etc/app/real.conf',
            includePaths: [],
            excludePaths: [],
          },
        ],
        { workspace, cacheDir: join(root, 'prepare-cache') },
      );
      expect(results.map((r) => r.addKind)).toEqual(['directory', 'file']);
      expect(walk(join(workspace, 'git'))).toEqual({
        // The entry folders are not copied (only `path` is), so their mode is the umask's.
        '0/': 'dir 755',
        '0/docs/': 'dir 775',
        '0/docs/readme.md': 'file 644',
        '1/': 'dir 755',
        '1/app.conf': 'file 644',
      });
      const noSecret = prepareGitEntries(
        [{ url: http.urlOf('layout'), commit, dir: 'git/2', path: 'git/2/docs', ...docs }],
        {
          workspace,
          cacheDir: join(root, 'prepare-cache-2'),
        },
      );
      await expect(noSecret).rejects.toMatchObject({ reason: 'GitAuth' });
    } finally {
      await http.close();
    }
  });
});
