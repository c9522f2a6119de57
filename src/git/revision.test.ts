import { describe, expect, it } from 'vitest';
import { parseLsRemote, pickRevision } from './revision.js';

const id = (c: string) => c.repeat(40);
const refs = parseLsRemote(
  [
    `${id('a')}\tHEAD`,
    `${id('a')}\trefs/heads/main`,
    `${id('b')}\trefs/heads/v2`,
    `${id('c')}\trefs/tags/v1`,
    `${id('d')}\trefs/tags/v2`,
    `${id('e')}\trefs/tags/v2^{}`,
    '',
  ].join('\n'),
);

describe('pickRevision', () => {
  it('prefers a full ref, then a tag, then a branch (git rev-parse order); annotated tags peel to the commit', () => {
    expect(pickRevision(refs, { kind: 'any', name: 'main' })).toEqual({
      commit: id('a'),
      ref: 'refs/heads/main',
    });
    expect(pickRevision(refs, { kind: 'any', name: 'v2' })).toEqual({ commit: id('e'), ref: 'refs/tags/v2' });
    expect(pickRevision(refs, { kind: 'any', name: 'refs/heads/v2' })).toEqual({
      commit: id('b'),
      ref: 'refs/heads/v2',
    });
    expect(pickRevision(refs, { kind: 'branch', name: 'v2' })).toEqual({
      commit: id('b'),
      ref: 'refs/heads/v2',
    });
    expect(pickRevision(refs, { kind: 'tag', name: 'v1' })).toEqual({ commit: id('c'), ref: 'refs/tags/v1' });
    expect(pickRevision(refs, { kind: 'default' })).toEqual({ commit: id('a'), ref: 'HEAD' });
  });
  it('takes full commit ids as they are (lowercased) and rejects abbreviations', () => {
    expect(pickRevision(refs, { kind: 'any', name: id('F') })).toEqual({ commit: id('f') });
    expect(pickRevision(refs, { kind: 'commit', name: id('9') })).toEqual({ commit: id('9') });
    expect(() => pickRevision(refs, { kind: 'commit', name: 'abc123' })).toThrow(/full 40-character id/);
    expect(() => pickRevision(refs, { kind: 'any', name: 'abc123' })).toThrow(
      /abbreviated commit ids are not supported/,
    );
  });
  it('says what it looked for when nothing matches', () => {
    expect(() => pickRevision(refs, { kind: 'any', name: 'feature/x' })).toThrow(
      'revision "feature/x" does not exist in the repository (looked for a tag, a branch and a full commit id)',
    );
    expect(() => pickRevision(refs, { kind: 'tag', name: 'main' })).toThrow(
      'tag "main" does not exist in the repository',
    );
    expect(() => pickRevision([], { kind: 'default' })).toThrow(/no default branch/);
  });
});
