import { describe, expect, it } from 'vitest';
import { GitError } from './errors.js';
import { computeMappingFacts, type GitMappingInput, gitSelectionHash } from './facts.js';
import { selectMappingEntries } from './select.js';
import { parseLsTree, type TreeEntry } from './tree.js';

const oid = (n: number) => n.toString(16).padStart(40, '0');
const file = (path: string, n: number, mode: TreeEntry['mode'] = '100644'): TreeEntry => ({
  path,
  mode,
  type: mode === '160000' ? 'commit' : 'blob',
  oid: oid(n),
});

const base: TreeEntry[] = [
  file('README.md', 1),
  file('app/main.go', 2),
  file('app/lib/util.go', 3),
  file('app/lib/util_test.go', 4),
  file('app/run.sh', 5, '100755'),
  file('app/current', 6, '120000'),
  file('app/package.json', 7),
  file('config/app.conf', 8),
  file('docs/guide.md', 9),
];

function mapping(m: Partial<GitMappingInput> & { add: string }): GitMappingInput {
  return {
    includePaths: [],
    excludePaths: [],
    stageDependencies: { install: [], beforeSetup: [], setup: [] },
    ...m,
  };
}

/** Replaces (or adds) one entry, as a new commit would. */
function change(tree: TreeEntry[], entry: TreeEntry): TreeEntry[] {
  return [...tree.filter((e) => e.path !== entry.path), entry];
}

describe('parseLsTree', () => {
  it('reads mode, type, id and verbatim path (tabs and newlines too) from -z output', () => {
    const out = `100644 blob ${oid(1)}\ta b\tc\n.txt\x00120000 blob ${oid(2)}\tlink\x00160000 commit ${oid(3)}\tsub\x00`;
    expect(parseLsTree(out)).toEqual([
      { path: 'a b\tc\n.txt', mode: '100644', type: 'blob', oid: oid(1) },
      { path: 'link', mode: '120000', type: 'blob', oid: oid(2) },
      { path: 'sub', mode: '160000', type: 'commit', oid: oid(3) },
    ]);
  });
  it('rejects a record it does not understand', () => {
    expect(() => parseLsTree('garbage\0')).toThrow(/unexpected git ls-tree record/);
  });
});

describe('selectMappingEntries', () => {
  it('selects a directory with paths relative to add, sorted', () => {
    const s = selectMappingEntries(base, mapping({ add: '/app/lib' }));
    expect(s.addKind).toBe('directory');
    expect(s.entries.map((e) => e.relPath)).toEqual(['util.go', 'util_test.go']);
  });
  it('selects a single file with relative path "" (it is renamed to `to`)', () => {
    const s = selectMappingEntries(base, mapping({ add: '/config/app.conf' }));
    expect(s.addKind).toBe('file');
    expect(s.entries).toEqual([{ relPath: '', path: 'config/app.conf', mode: '100644', oid: oid(8) }]);
  });
  it('applies includePaths then excludePaths with werf glob rules', () => {
    const s = selectMappingEntries(
      base,
      mapping({ add: '/app', includePaths: ['**/*.go', 'run.sh'], excludePaths: ['**/*_test.go'] }),
    );
    expect(s.entries.map((e) => e.relPath)).toEqual(['lib/util.go', 'main.go', 'run.sh']);
    const dir = selectMappingEntries(base, mapping({ add: '/', includePaths: ['app/lib'] }));
    expect(dir.entries.map((e) => e.path)).toEqual(['app/lib/util.go', 'app/lib/util_test.go']);
  });
  it('does not treat a sibling with the same prefix as part of add', () => {
    const tree = [file('app/x', 1), file('apple/y', 2)];
    expect(selectMappingEntries(tree, mapping({ add: '/app' })).entries.map((e) => e.path)).toEqual([
      'app/x',
    ]);
  });
  it('fails with GitMappingInvalid for a missing add or an empty selection', () => {
    expect(() => selectMappingEntries(base, mapping({ add: '/nope' }))).toThrow(/add \/nope does not exist/);
    try {
      selectMappingEntries(base, mapping({ add: '/app', includePaths: ['*.rb'] }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GitError);
      expect((e as GitError).reason).toBe('GitMappingInvalid');
      expect((e as GitError).message).toMatch(/selects no file/);
    }
  });
  it('reports a bad glob as GitMappingInvalid naming the glob', () => {
    expect(() => selectMappingEntries(base, mapping({ add: '/app', includePaths: ['src/[a'] }))).toThrow(
      expect.objectContaining({ reason: 'GitMappingInvalid', message: expect.stringContaining('"src/[a"') }),
    );
    expect(() =>
      gitSelectionHash(base, { ...mapping({ add: '/app' }), selectPaths: ['{a,b'], skipPaths: [] }),
    ).toThrow(expect.objectContaining({ reason: 'GitMappingInvalid' }));
  });
  it('uses werf rules: `*.go` covers top-level go files and the subtree of a top-level dir named like one', () => {
    const tree = [file('a.go', 1), file('lib/b.go', 2), file('pkg.go/c.txt', 3)];
    const s = selectMappingEntries(tree, mapping({ add: '/', includePaths: ['*.go'] }));
    expect(s.entries.map((e) => e.path)).toEqual(['a.go', 'pkg.go/c.txt']);
  });
  it('reports submodules instead of copying them', () => {
    const tree = [...base, file('app/vendor/lib', 10, '160000')];
    const s = selectMappingEntries(tree, mapping({ add: '/app' }));
    expect(s.submodules).toEqual(['app/vendor/lib']);
    expect(s.entries.some((e) => e.path === 'app/vendor/lib')).toBe(false);
  });
});

describe('computeMappingFacts: content hash', () => {
  const m = mapping({
    add: '/app',
    includePaths: ['**/*.go', 'run.sh', 'current'],
    excludePaths: ['**/*_test.go'],
  });
  const before = computeMappingFacts(base, m).contentHash;

  it('is stable and independent of listing order', () => {
    expect(computeMappingFacts([...base].reverse(), m).contentHash).toBe(before);
    expect(before).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
  it('changes when a selected file changes content, mode, name or symlink target', () => {
    expect(computeMappingFacts(change(base, file('app/main.go', 99)), m).contentHash).not.toBe(before);
    expect(computeMappingFacts(change(base, file('app/run.sh', 5, '100644')), m).contentHash).not.toBe(
      before,
    );
    expect(computeMappingFacts(change(base, file('app/current', 98, '120000')), m).contentHash).not.toBe(
      before,
    );
    const renamed = [...base.filter((e) => e.path !== 'app/main.go'), file('app/main2.go', 2)];
    expect(computeMappingFacts(renamed, m).contentHash).not.toBe(before);
    expect(computeMappingFacts([...base, file('app/new.go', 50)], m).contentHash).not.toBe(before);
  });
  it('does not change for files outside add, excluded, or not included', () => {
    expect(computeMappingFacts(change(base, file('README.md', 99)), m).contentHash).toBe(before);
    expect(computeMappingFacts(change(base, file('app/lib/util_test.go', 99)), m).contentHash).toBe(before);
    expect(computeMappingFacts(change(base, file('app/package.json', 99)), m).contentHash).toBe(before);
    expect(computeMappingFacts([...base, file('app/notes.txt', 51)], m).contentHash).toBe(before);
  });
  it('is the same for the same content under another add (paths are relative to add)', () => {
    const moved = base.map((e) => ({ ...e, path: e.path.replace(/^app\//, 'srv/app/') }));
    expect(computeMappingFacts(moved, { ...m, add: '/srv/app' }).contentHash).toBe(before);
  });
});

describe('computeMappingFacts: stageDependencies', () => {
  const m = mapping({
    add: '/app',
    excludePaths: ['**/*_test.go'],
    stageDependencies: { install: ['package.json'], beforeSetup: [], setup: ['**/*.go', 'missing/**'] },
  });
  const before = computeMappingFacts(base, m);

  it('hashes per stage only the files its globs select', () => {
    expect(before.stageDependencies.install?.fileCount).toBe(1);
    expect(before.stageDependencies.setup?.fileCount).toBe(2);
    expect(before.stageDependencies.beforeSetup).toBeUndefined();
    const goChange = computeMappingFacts(change(base, file('app/main.go', 99)), m);
    expect(goChange.stageDependencies.setup?.hash).not.toBe(before.stageDependencies.setup?.hash);
    expect(goChange.stageDependencies.install?.hash).toBe(before.stageDependencies.install?.hash);
    const pkgChange = computeMappingFacts(change(base, file('app/package.json', 99)), m);
    expect(pkgChange.stageDependencies.install?.hash).not.toBe(before.stageDependencies.install?.hash);
    expect(pkgChange.stageDependencies.setup?.hash).toBe(before.stageDependencies.setup?.hash);
  });
  it('ignores files the mapping itself excludes even when a glob matches them', () => {
    const testChange = computeMappingFacts(change(base, file('app/lib/util_test.go', 99)), m);
    expect(testChange.stageDependencies.setup?.hash).toBe(before.stageDependencies.setup?.hash);
  });
  it('reports globs that match nothing', () => {
    expect(before.stageDependencies.setup?.unmatchedGlobs).toEqual(['missing/**']);
    expect(before.warnings).toEqual([expect.stringContaining('stageDependencies.setup glob "missing/**"')]);
  });

  // werf-pitfalls.md #6: on `add: /myfile` the globs are relative to the file itself.
  describe('pitfall 6: single-file mapping', () => {
    const tree = [file('myfile', 1), file('other', 2)];
    const edited = change(tree, file('myfile', 3));
    const single = (setup: string[]) =>
      mapping({ add: '/myfile', stageDependencies: { install: [], beforeSetup: [], setup } });

    it.each([[''], ['**/*'], ['**'], ['*'], ['.']])(
      'glob %j selects the file and fires when it changes',
      (g) => {
        const a = computeMappingFacts(tree, single([g]));
        const b = computeMappingFacts(edited, single([g]));
        expect(a.stageDependencies.setup?.fileCount).toBe(1);
        expect(b.stageDependencies.setup?.hash).not.toBe(a.stageDependencies.setup?.hash);
        expect(a.warnings).toEqual([]);
      },
    );
    it('glob "myfile" matches nothing, as in werf, and says why', () => {
      const a = computeMappingFacts(tree, single(['myfile']));
      expect(a.stageDependencies.setup).toMatchObject({ fileCount: 0, unmatchedGlobs: ['myfile'] });
      expect(a.warnings[0]).toMatch(
        /add \/myfile is a file and globs are relative to it, so only "" or "\*\*\/\*"/,
      );
      const b = computeMappingFacts(edited, single(['myfile']));
      expect(b.stageDependencies.setup?.hash).toBe(a.stageDependencies.setup?.hash);
    });
  });
});

describe('gitSelectionHash (the planner GitSelection query)', () => {
  const m = mapping({
    add: '/app',
    excludePaths: ['**/*_test.go'],
    stageDependencies: { install: [], beforeSetup: [], setup: ['**/*.go', 'nothing'] },
  });
  const facts = computeMappingFacts(base, m);

  it('equals the mapping content hash with no select/skip globs', () => {
    const q = gitSelectionHash(base, { ...m, selectPaths: [], skipPaths: [] });
    expect(q).toEqual({
      hash: facts.contentHash,
      fileCount: facts.fileCount,
      addKind: 'directory',
      unmatchedSelectPaths: [],
    });
  });
  it('equals the stage dependencies hash with the stage globs as selectPaths', () => {
    const q = gitSelectionHash(base, { ...m, selectPaths: m.stageDependencies.setup, skipPaths: [] });
    expect(q.hash).toBe(facts.stageDependencies.setup?.hash);
    expect(q.unmatchedSelectPaths).toEqual(['nothing']);
  });
  it('leaves out skipPaths: a skipped file changing does not change the hash', () => {
    const q = { ...m, selectPaths: [], skipPaths: ['lib'] };
    const before = gitSelectionHash(base, q);
    expect(before.fileCount).toBe(facts.fileCount - 1);
    expect(gitSelectionHash(change(base, file('app/lib/util.go', 77)), q).hash).toBe(before.hash);
    expect(gitSelectionHash(change(base, file('app/main.go', 77)), q).hash).not.toBe(before.hash);
  });
});
