import { describe, expect, it } from 'vitest';
import { cleanPath, isContainedRelativePath, isSameOrBelow } from '../../../src/werf/config-paths.js';
import { isExternalImportSource, parseDockerReference } from '../../../src/werf/docker-reference.js';
import { splitWerfDocuments } from '../../../src/werf/parse/documents.js';
import { YamlScalar } from '../../../src/werf/parse/yaml-scalar.js';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';

describe('paths', () => {
  it('cleans like Go path.Clean', () => {
    expect(['/app/', 'a/./b', '', '/..', 'a/../..', '//x//y/', '.'].map(cleanPath)).toEqual([
      '/app',
      'a/b',
      '.',
      '/',
      '..',
      '/x/y',
      '.',
    ]);
  });
  it('tells contained relative globs and whole-segment prefixes', () => {
    expect(['a', '**/*.js', '.', 'a/../b'].every(isContainedRelativePath)).toBe(true);
    expect(['/a', '..', '../a', 'a/../../b'].some(isContainedRelativePath)).toBe(false);
    expect(isSameOrBelow('/app', '/app/x')).toBe(true);
    expect(isSameOrBelow('/app', '/application')).toBe(false);
    expect(isSameOrBelow('/', '/anything')).toBe(true);
  });
});

describe('docker references', () => {
  it('parses name, tag and digest', () => {
    expect(parseDockerReference('reg.io:5000/a/b:1.2')).toEqual({
      name: 'reg.io:5000/a/b',
      tag: '1.2',
      digest: undefined,
    });
    expect(parseDockerReference('Upper:1')).toBeUndefined();
  });
  it('an import source is external only with a tag or digest', () => {
    expect(isExternalImportSource('alpine:3.20')).toBe(true);
    expect(isExternalImportSource(`x@sha256:${'0'.repeat(64)}`)).toBe(true);
    expect(isExternalImportSource('alpine')).toBe(false);
    expect(isExternalImportSource('builder/app')).toBe(false);
  });
});

describe('splitting documents as werf does', () => {
  it('splits on --- lines (with blanks or a comment), drops empty documents, keeps CRLF positions', () => {
    const text = 'a: 1\r\n--- # first\r\n\r\n---\r\n# only a comment\r\n---  \r\nb: 2\r\n';
    const { documents, problems } = splitWerfDocuments(text);
    expect(problems).toEqual([]);
    expect(documents.map((d) => d.value)).toEqual([
      { a: expect.any(YamlScalar) },
      { b: expect.any(YamlScalar) },
    ]);
    expect(documents.map((d) => d.index)).toEqual([0, 1]);
    expect(text.slice(documents[1]?.range.offset)).toMatch(/^b: 2/);
  });
  it('does not split on --- inside a line or a block scalar that is not a whole line', () => {
    const { documents } = splitWerfDocuments('a: |\n  x --- y\nb: "---"\n');
    expect(documents).toHaveLength(1);
  });
  it('resolves aliases and merge keys', () => {
    const { documents } = splitWerfDocuments('base: &b {x: one}\nuse: *b\nmerged:\n  <<: *b\n  y: two\n');
    expect(documents[0]?.value).toEqual({
      base: { x: 'one' },
      use: { x: 'one' },
      merged: { x: 'one', y: 'two' },
    });
  });
  it('numbers the documents after an invalid one consistently', () => {
    const { errors } = parseWerfConfig(
      'project: t\nconfigVersion: 1\n---\nimage: [\n---\nimage: b\nfrom: alpine\nbad: 1\n',
    );
    expect(errors.map((e) => [e.code, e.docIndex])).toEqual([
      ['yaml', 1],
      ['schema', 2],
    ]);
  });
});
