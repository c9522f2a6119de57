import { describe, expect, it } from 'vitest';
import {
  cleanPath,
  createPathFilter,
  GlobSyntaxError,
  globMatch,
  matchesWerfGlob,
  trimTrailingStars,
} from '../../../src/werf/paths.js';

describe('cleanPath', () => {
  it.each([
    ['', '.'],
    ['./x', 'x'],
    ['a//b/', 'a/b'],
    ['a/../../b', '../b'],
    ['/../a', '/a'],
    ['/', '/'],
  ])('%j -> %j', (input, out) => expect(cleanPath(input)).toBe(out));
});

describe('trimTrailingStars', () => {
  it.each([
    ['a/*/**', 'a'],
    ['**/*', ''],
    ['a/b*', 'a/b*'],
    ['*/x/**', '*/x'],
  ])('%j -> %j', (input, out) => expect(trimTrailingStars(input)).toBe(out));
});

describe('globMatch (doublestar semantics)', () => {
  it.each([
    ['*', 'a.txt', true],
    ['*', '.hidden', true],
    ['*', 'a/b', false],
    ['**', 'a/b/c', true],
    ['**/*.php', 'x.php', true],
    ['**/*.php', 'a/b/x.php', true],
    ['a/**', 'a', true],
    ['**.sh', 'a/b.sh', false],
    ['**.sh', 'b.sh', true],
    ['?', 'ab', false],
    ['[^a]', 'b', true],
    ['{a,b/c}', 'b/c', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
  ])('%j ~ %j = %j', (g, p, want) => expect(globMatch(g, p)).toBe(want));

  it('rejects malformed globs with a clear error', () => {
    expect(() => globMatch('{a,b', 'a')).toThrow(GlobSyntaxError);
    expect(() => globMatch('[]', 'a')).toThrow(/empty or unterminated/);
    expect(() => globMatch('a\\', 'a')).toThrow(/escape/);
  });
});

describe('matchesWerfGlob (three-pattern rule, werf-stapel §5.2)', () => {
  it('a plain name matches the entry and everything below it', () => {
    expect(matchesWerfGlob('module1', 'module1')).toBe(true);
    expect(matchesWerfGlob('module1/a/b', 'module1')).toBe(true);
    expect(matchesWerfGlob('module10', 'module1')).toBe(false);
  });
  it('dir/** and dir/* also match dir itself and its subtree', () => {
    for (const g of ['dir/**', 'dir/*']) {
      expect(matchesWerfGlob('dir', g)).toBe(true);
      expect(matchesWerfGlob('dir/x/y', g)).toBe(true);
      expect(matchesWerfGlob('other', g)).toBe(false);
    }
  });
  it('*.php matches top-level php files and the subtree of a top-level x.php directory', () => {
    expect(matchesWerfGlob('a.php', '*.php')).toBe(true);
    expect(matchesWerfGlob('x.php/inner.txt', '*.php')).toBe(true);
    expect(matchesWerfGlob('sub/a.php', '*.php')).toBe(false);
    expect(matchesWerfGlob('sub/a.php', '**/*.php')).toBe(true);
  });
  it('the root of add is the empty path, matched only by universal globs', () => {
    expect(matchesWerfGlob('', '**/*')).toBe(true);
    expect(matchesWerfGlob('', '*')).toBe(true);
    expect(matchesWerfGlob('', 'a')).toBe(false);
  });
  it('cleans globs and paths', () => {
    expect(matchesWerfGlob('./src/app', 'src/./app/')).toBe(true);
  });
});

describe('createPathFilter', () => {
  it('pitfall 1 (#4176): includePaths **/*.jar selects only jars', () => {
    const f = createPathFilter({ includePaths: ['**/*.jar'], excludePaths: [] });
    expect(['a.txt', 'b.jar', 'd', 'd/c.txt', 'd/e.jar'].filter((p) => f.selects(p))).toEqual([
      'b.jar',
      'd/e.jar',
    ]);
  });
  it('no includes selects everything, excludes win at any depth', () => {
    const f = createPathFilter({ includePaths: [], excludePaths: ['**/*.log', 'secret'] });
    expect(f.selects('x.log')).toBe(false);
    expect(f.selects('sub/x.log')).toBe(false);
    expect(f.selects('secret/inner')).toBe(false);
    expect(f.excludes('secret')).toBe(true);
    expect(f.selects('sub/x.txt')).toBe(true);
  });
  it('include myfile with exclude **/* excludes it (Go matcher, not rsync)', () => {
    const f = createPathFilter({ includePaths: ['myfile'], excludePaths: ['**/*'] });
    expect(f.selects('myfile')).toBe(false);
  });
  it('include dir with exclude dir/secret drops dir/secret but keeps its siblings', () => {
    const f = createPathFilter({ includePaths: ['dir'], excludePaths: ['dir/secret'] });
    expect(f.selects('dir/a')).toBe(true);
    expect(f.selects('dir/secret')).toBe(false);
    expect(f.selects('other')).toBe(false);
  });
  it('fails before reading files when a glob is malformed', () => {
    expect(() => createPathFilter({ includePaths: ['src/{a,b'], excludePaths: [] })).toThrow(
      /invalid glob "src\/\{a,b"/,
    );
  });
});
