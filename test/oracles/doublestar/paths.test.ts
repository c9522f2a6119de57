// Differential test: src/werf/paths.ts against the real doublestar v4 (the
// glob engine werf uses) over thousands of generated glob/path pairs.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { GlobSyntaxError, globMatch, matchesWerfGlob } from '../../../src/werf/paths.js';
import { askOracle, buildGoOracle } from '../go-oracle.js';

let oracle: string;
beforeAll(() => {
  oracle = buildGoOracle('doublestar');
}, 300_000);

// Small alphabets so that generated globs and paths actually meet.
const nameChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 2, arbitrary: fc.constantFrom('.', '-', 'é', '{', ',', '}', '[', ']', '*') },
);
const segment = fc.array(nameChar, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''));
const path = fc.array(segment, { minLength: 0, maxLength: 4 }).map((s) => s.join('/'));

const globAtom = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom('a', 'b', 'c', 'a', 'b', 'c', '.', '-', 'é') },
  { weight: 40, arbitrary: fc.constantFrom('*', '**', '?') },
  {
    weight: 15,
    arbitrary: fc.constantFrom(
      '[ab]',
      '[^a]',
      '[!.]',
      '[a-c]',
      '[-a]',
      '[a-]',
      '[\\]]',
      '[^/]',
      '[é]',
      '[c-a]',
    ),
  },
  { weight: 15, arbitrary: fc.constantFrom('{a,b}', '{a/b,c}', '{,a}', '{a,{b,c}}', '{**,a}', '{*/,b/}') },
  { weight: 8, arbitrary: fc.constantFrom('\\*', '\\a', '\\{', '\\[', '\\,', ',') },
  { weight: 1, arbitrary: fc.constantFrom('{', '}', '[', '\\', '[]', '[^]') },
);
const globSegment = fc.array(globAtom, { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const glob = fc
  .tuple(fc.boolean(), fc.array(globSegment, { minLength: 1, maxLength: 4 }))
  .map(([lead, segs]) => (lead ? '/' : '') + segs.join('/'));

function ours(mode: 'raw' | 'werf', g: string, p: string): string {
  try {
    return (mode === 'raw' ? globMatch(g, p) : matchesWerfGlob(p, g)) ? '1' : '0';
  } catch (e) {
    if (e instanceof GlobSyntaxError) return 'E';
    throw e;
  }
}

/**
 * doublestar validates lazily (a bad glob only errors once a match fails);
 * werf then exits. We reject bad globs up front instead, so: ours must throw
 * exactly for the globs doublestar's validator rejects, and agree exactly on
 * every other pair.
 */
function differential(mode: 'raw' | 'werf', pairs: Array<[string, string]>) {
  const questions = pairs.flatMap(([g, p]) => [
    [mode, g, p],
    [mode === 'werf' ? 'werfvalid' : 'valid', g, ''],
  ]);
  const raw = askOracle(oracle, questions);
  const answers = pairs.map((_, i) => (raw[2 * i + 1] === '1' ? (raw[2 * i] as string) : 'E'));
  const mismatches = pairs
    .map(([g, p], i) => ({ glob: g, path: p, doublestar: answers[i], ours: ours(mode, g, p) }))
    .filter((r) => r.doublestar !== r.ours);
  return { answers, mismatches };
}

describe('glob engine vs doublestar v4 (oracle)', () => {
  it('agrees with doublestar.PathMatch on 20000 generated glob/path pairs', () => {
    const pairs = fc.sample(fc.tuple(glob, path), { numRuns: 20000, seed: 4242 });
    const { answers, mismatches } = differential('raw', pairs);
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The generator must exercise both outcomes, or the comparison proves nothing.
    expect(answers.filter((a) => a === '1').length).toBeGreaterThan(150);
    expect(answers.filter((a) => a === 'E').length).toBeGreaterThan(100);
  });

  it('agrees with werf three-pattern rule on 10000 generated pairs', () => {
    const pairs = fc.sample(fc.tuple(glob, path), { numRuns: 10000, seed: 777 });
    const { answers, mismatches } = differential('werf', pairs);
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(answers.filter((a) => a === '1').length).toBeGreaterThan(300);
  });

  it('agrees on paths derived from the glob itself (dense matches)', () => {
    // Replace each wildcard by a concrete choice so most pairs should match.
    const derived = fc.sample(
      glob.chain((g) =>
        fc.tuple(
          fc.constant(g),
          fc.array(fc.constantFrom('a', 'b', 'x/y', '', '.c'), { minLength: 8, maxLength: 8 }).map((fill) => {
            let i = 0;
            return g
              .replace(/^\//, '')
              .replace(/\[[^\]]*\]|\{[^}]*\}|\*\*|\*|\?|\\/g, () => fill[i++ % fill.length] as string);
          }),
        ),
      ),
      { numRuns: 3000, seed: 99 },
    );
    const raw = differential('raw', derived);
    expect(raw.mismatches.slice(0, 10)).toEqual([]);
    const werf = differential('werf', derived);
    expect(werf.mismatches.slice(0, 10)).toEqual([]);
    expect(raw.answers.filter((a) => a === '1').length).toBeGreaterThan(300);
    expect(werf.answers.filter((a) => a === '1').length).toBeGreaterThan(600);
  });
});
