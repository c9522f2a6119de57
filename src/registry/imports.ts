// Import sources: the files an import selects from a stage image in the
// registry, and their checksum (werf-stapel.md §4.9). Used by the reconciler
// (checksum only: bytes are hashed, not kept) and by `prepare` (bytes spilled
// to disk, then written into the workspace).
import type { Readable } from 'node:stream';
import { type ChecksumEntry, importChecksum, md5Hex } from '../plan/import-checksum.js';
import type { ImportEntryKind } from '../plan/import-copy.js';
import { createPathFilter } from '../werf/paths.js';
import type { RegistryClient, ResolvedImage } from './client.js';
import { type ContentStore, type LayerBlob, readSubtrees, type SubtreeResult } from './image-subtree.js';
import { isForeignLayer } from './media-types.js';
import { formatImageReference, parseImageReference, withDigest } from './reference.js';
import type { SelectedEntry } from './subtree-select.js';

export interface ImportSelector {
  /** Absolute path in the source image. */
  add: string;
  includePaths: readonly string[];
  excludePaths: readonly string[];
}

export class ImportSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportSourceError';
  }
}

/** The image's layers as blobs fetched (and verified) through the client, pinned to the manifest digest. */
export function registryLayers(client: RegistryClient, sourceRef: string, image: ResolvedImage): LayerBlob[] {
  const ref = withDigest(parseImageReference(sourceRef), image.digest);
  return image.manifest.layers
    .filter((l) => !isForeignLayer(l.mediaType))
    .map((l) => ({
      label: l.digest,
      mediaType: l.mediaType,
      open: (): Promise<Readable> => client.openBlob(ref, l),
    }));
}

export interface ImportFiles {
  selector: ImportSelector;
  /** `add` after resolving symlinks in its parents inside the image. */
  resolvedAdd: string;
  entries: SelectedEntry[];
  checksum: string;
}

/** The checksum input of selected entries: files by content, symlinks by target text, special files as empty streams. */
export function checksumEntries(entries: SelectedEntry[], store: ContentStore): ChecksumEntry[] {
  return entries
    .filter((e) => e.selected && e.node.type !== 'directory')
    .map((e) => {
      const n = e.node;
      if (n.type === 'file')
        return { relPath: e.relPath, type: 'file' as const, md5: store.get(n.content).md5 };
      if (n.type === 'symlink')
        return { relPath: e.relPath, type: 'symlink' as const, md5: md5Hex(n.target) };
      return { relPath: e.relPath, type: 'other' as const, md5: md5Hex('') };
    });
}

function describeMissing(sourceRef: string, r: Extract<SubtreeResult, { found: false }>): string {
  const via = r.missingPath === r.add ? '' : ` (at ${r.missingPath})`;
  return `import source ${sourceRef}: add path ${r.add} not found in the image${via}: ${r.reason}`;
}

/**
 * Reads the files of several imports from one source image in a single pass
 * over its layers. With `spillDir` the bytes are kept there for writing;
 * without, only hashed.
 */
export async function readImportFiles(
  client: RegistryClient,
  sourceRef: string,
  selectors: ImportSelector[],
  spillDir?: string,
): Promise<{ imageDigest: string; imports: ImportFiles[]; store: ContentStore }> {
  const image = await client.getImage(sourceRef);
  const requests = selectors.map((s) => ({
    add: s.add,
    filter: createPathFilter({ includePaths: s.includePaths, excludePaths: s.excludePaths }),
  }));
  const { results, store } = await readSubtrees(registryLayers(client, sourceRef, image), requests, spillDir);
  const imports = results.map((r, i) => {
    if (!r.found) throw new ImportSourceError(describeMissing(sourceRef, r));
    const selector = selectors[i] as ImportSelector;
    const checksum = importChecksum(selector.add, checksumEntries(r.entries, store));
    return { selector, resolvedAdd: r.resolvedAdd, entries: r.entries, checksum };
  });
  return { imageDigest: image.digest, imports, store };
}

/** The kind of entry `add` names (the first selected entry is always `add` itself). */
export function entryKind(entries: SelectedEntry[]): ImportEntryKind {
  const type = entries[0]?.node.type;
  return type === 'directory' || type === 'file' || type === 'symlink' ? type : 'other';
}

export interface ImportSourceFacts {
  /** The import checksum (werf §4.9), a digest input of the importing stage. */
  checksum: string;
  /** What `add` is in the source image (`prepare` picks the COPY form from it: src/plan/import-copy.ts). */
  kind: ImportEntryKind;
  /** `add` with symlinks in its parents resolved inside the image. */
  resolvedAdd: string;
}

/** What planning needs to know about an import source (file bytes are hashed, nothing is written). */
export async function inspectImportSource(
  client: RegistryClient,
  sourceRef: string,
  selector: ImportSelector,
): Promise<ImportSourceFacts> {
  const ref = formatImageReference(parseImageReference(sourceRef));
  const files = (await readImportFiles(client, ref, [selector])).imports[0] as ImportFiles;
  return { checksum: files.checksum, kind: entryKind(files.entries), resolvedAdd: files.resolvedAdd };
}

/** The import checksum of one selector against a source image. */
export async function importChecksumFromRegistry(
  client: RegistryClient,
  sourceRef: string,
  selector: ImportSelector,
): Promise<string> {
  return (await inspectImportSource(client, sourceRef, selector)).checksum;
}
