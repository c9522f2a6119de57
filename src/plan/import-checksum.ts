// The import checksum (werf-stapel.md §4.9): the digest input of an importing
// stage. It covers the imported *file set* (paths and contents), not the
// source image's identity, so a rebuilt source with identical files does not
// rebuild the importer. Computed by the reconciler (planning) and re-checked
// by `prepare` (building) with this one function.
import { createHash } from 'node:crypto';

export type ChecksumEntryType = 'file' | 'symlink' | 'directory' | 'other';

export interface ChecksumEntry {
  /** Path relative to `add` ('' when `add` itself is the entry). */
  relPath: string;
  type: ChecksumEntryType;
  /** Hex MD5 of the content: file bytes, a symlink's target text, a special file's (empty) stream. */
  md5: string;
}

/** The checksum of an import that matched nothing (MD5 of the empty string). */
export const EMPTY_IMPORT_CHECKSUM = 'd41d8cd98f00b204e9800998ecf8427e';

export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** `add` joined with a path relative to it: the entry's absolute path in the source image. */
function absolutePath(add: string, relPath: string): string {
  if (relPath === '') return add;
  return add === '/' ? `/${relPath}` : `${add}/${relPath}`;
}

/**
 * werf's Buildah-backend checksum: one line `<md5>  <absolute path>\n` per
 * selected non-directory entry, sorted in Go string order (UTF-8 bytes),
 * and the MD5 of all lines. Directories never count, so empty directories
 * and modes do not change it.
 */
export function importChecksum(add: string, entries: readonly ChecksumEntry[]): string {
  const lines = entries
    .filter((e) => e.type !== 'directory')
    .map((e) => ({ path: Buffer.from(absolutePath(add, e.relPath), 'utf8'), md5: e.md5 }))
    .sort((a, b) => Buffer.compare(a.path, b.path));
  const hash = createHash('md5');
  for (const line of lines) hash.update(`${line.md5}  `).update(line.path).update('\n');
  return hash.digest('hex');
}

/**
 * werf's import source id (§4.9 step 2): names one (source content, add,
 * include, exclude) combination, e.g. as a cache key for computed checksums.
 */
export function importSourceId(
  sourceContentDigest: string,
  add: string,
  includePaths: readonly string[],
  excludePaths: readonly string[],
): string {
  const parts = [
    'SourceImageContentDigest',
    sourceContentDigest,
    'Add',
    add,
    'IncludePaths',
    includePaths.join('///'),
    'ExcludePaths',
    excludePaths.join('///'),
  ];
  return createHash('sha256').update(parts.join(':::')).digest('hex');
}
