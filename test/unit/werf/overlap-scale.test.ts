import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSameOrBelow, joinPaths, relativeBelow } from '../../../src/werf/config-paths.js';
import { autoExcludeOverlaps, type Export } from '../../../src/werf/overlap.js';

// §2.10 with many include paths: the same excludes as werf's pairwise loop
// (kept here as the reference), without its quadratic scan, which made two
// git mappings with 3000 includes each block the operator for seconds.

type Shape = { to: string; includePaths: string[]; excludePaths: string[] };

const exportOf = (s: Shape) =>
  ({
    ...s,
    includePaths: [...s.includePaths],
    excludePaths: [...s.excludePaths],
    implicitExcludePaths: [],
  }) as unknown as Export;

/** werf's algorithm written as directly as the spec reads (werf-stapel.md §2.10). */
function reference(exports: Export[]): string[] {
  const prefix = (e: Export) => (e.to === '/' ? '' : e.to.slice(1));
  const includes = (e: Export) =>
    e.includePaths.length === 0 && prefix(e) !== ''
      ? [prefix(e)]
      : e.includePaths.map((p) => joinPaths(prefix(e), p));
  const conflicts: string[] = [];
  for (const [i, a] of exports.entries()) {
    for (const [j, b] of exports.entries()) {
      if (i === j || !isSameOrBelow(a.to, b.to)) continue;
      const ai = includes(a);
      const bi = includes(b);
      if (ai.length === 0 && bi.length === 0) {
        conflicts.push(`${i}:${j}`);
        continue;
      }
      for (const p of bi) {
        if (ai.includes(p)) {
          conflicts.push(`${i}:${j}`);
          break;
        }
        if (ai.some((x) => isSameOrBelow(p, x))) continue;
        if (a.excludePaths.map((x) => joinPaths(prefix(a), x)).some((x) => isSameOrBelow(p, x))) continue;
        const exclude = relativeBelow(a.to, joinPaths('/', p));
        a.excludePaths.push(exclude);
        a.implicitExcludePaths.push(exclude);
      }
    }
  }
  return conflicts;
}

describe('§2.10 auto-excludes at scale', () => {
  it('two mappings with 3000 includes each exclude each other', () => {
    const a = exportOf({
      to: '/app',
      includePaths: Array.from({ length: 3000 }, (_, i) => `a${i}`),
      excludePaths: [],
    });
    const b = exportOf({
      to: '/app',
      includePaths: Array.from({ length: 3000 }, (_, i) => `b${i}/x`),
      excludePaths: [],
    });
    expect(autoExcludeOverlaps([a, b])).toEqual([]);
    expect(a.excludePaths).toHaveLength(3000);
    expect(a.excludePaths.slice(0, 2)).toEqual(['b0/x', 'b1/x']);
    expect(b.excludePaths.slice(0, 2)).toEqual(['a0', 'a1']);
  });

  it('gives the same excludes and conflicts as the reference on random exports', () => {
    const path = fc.constantFrom('x', 'x/y', 'x/y/z', 'y', '**/*.jar', 'x/', 'z');
    const shape = fc.record({
      to: fc.constantFrom('/', '/app', '/app/x', '/app/x/y', '/other'),
      includePaths: fc.array(path, { maxLength: 3 }),
      excludePaths: fc.array(path, { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(shape, { minLength: 2, maxLength: 4 }), (shapes) => {
        const ours = shapes.map(exportOf);
        const theirs = shapes.map(exportOf);
        const conflicts = autoExcludeOverlaps(ours).map((c) => `${c.first}:${c.second}`);
        const expected = [
          ...new Set(reference(theirs).map((k) => k.split(':').map(Number).sort().join(':'))),
        ];
        expect(conflicts.sort()).toEqual(expected.sort());
        expect(ours.map((e) => e.excludePaths)).toEqual(theirs.map((e) => e.excludePaths));
      }),
      { numRuns: 500 },
    );
  });
});
