import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_IMPORT_CHECKSUM,
  importChecksum,
  importSourceId,
  md5Hex,
} from '../../../src/plan/import-checksum.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('importChecksum (werf §4.9, Buildah backend)', () => {
  it('hashes sorted "<md5>  <absolute path>" lines of non-directories', () => {
    const got = importChecksum('/o', [
      { relPath: 'd/e.jar', type: 'file', md5: md5Hex('E') },
      { relPath: 'd', type: 'directory', md5: md5Hex('') },
      { relPath: 'b.jar', type: 'file', md5: md5Hex('B') },
      { relPath: 'link', type: 'symlink', md5: md5Hex('b.jar') },
    ]);
    const expected = md5(`${md5('B')}  /o/b.jar\n${md5('E')}  /o/d/e.jar\n${md5('b.jar')}  /o/link\n`);
    expect(got).toBe(expected);
  });

  it('uses add itself for a single-file import and handles add = /', () => {
    expect(importChecksum('/f', [{ relPath: '', type: 'file', md5: md5('hi\n') }])).toBe(
      md5(`${md5('hi\n')}  /f\n`),
    );
    expect(importChecksum('/', [{ relPath: 'version.json', type: 'file', md5: md5('1') }])).toBe(
      md5(`${md5('1')}  /version.json\n`),
    );
  });

  it('sorts by UTF-8 bytes like Go, not by UTF-16 code units', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 code units but before it in UTF-8 bytes.
    const a = { relPath: '\u{FF5E}', type: 'file' as const, md5: md5('a') };
    const b = { relPath: '\u{1F600}', type: 'file' as const, md5: md5('b') };
    const expected = md5(`${md5('a')}  /x/\u{FF5E}\n${md5('b')}  /x/\u{1F600}\n`);
    expect(importChecksum('/x', [b, a])).toBe(expected);
    expect(importChecksum('/x', [a, b])).toBe(expected);
  });

  it('empty directories and no files give the MD5 of the empty string', () => {
    expect(importChecksum('/o', [{ relPath: 'empty', type: 'directory', md5: md5('') }])).toBe(
      EMPTY_IMPORT_CHECKSUM,
    );
  });

  it('changes with one byte of content and with a path, not with order of input', () => {
    const base = [
      { relPath: 'a', type: 'file' as const, md5: md5('1') },
      { relPath: 'b', type: 'file' as const, md5: md5('2') },
    ];
    const sum = importChecksum('/o', base);
    expect(importChecksum('/o', [...base].reverse())).toBe(sum);
    expect(importChecksum('/o', [base[0]!, { ...base[1]!, md5: md5('3') }])).not.toBe(sum);
    expect(importChecksum('/p', base)).not.toBe(sum);
  });
});

describe('importSourceId', () => {
  it('is SHA-256 of the ":::"-joined labelled parts', () => {
    const want = createHash('sha256')
      .update('SourceImageContentDigest:::abc:::Add:::/o:::IncludePaths:::a///b:::ExcludePaths:::')
      .digest('hex');
    expect(importSourceId('abc', '/o', ['a', 'b'], [])).toBe(want);
  });
});
