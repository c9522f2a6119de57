// Reads the files under one or more `add` paths of an image straight from its
// layer blobs, without unpacking the image: layers stream through once,
// building the metadata tree (image-tree.ts) and keeping the bytes of files
// under the requested paths (in a spill folder, or only their MD5). A second,
// targeted pass is needed only when the final tree shows the bytes live
// elsewhere: `add` reached through a symlinked parent, or a hard link to a
// file outside `add`.
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  fchmodSync,
  futimesSync,
  linkSync,
  openSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { PathFilter } from '../werf/paths.js';
import {
  applyLayer,
  type ContentRef,
  type DirNode,
  newDir,
  type ResolveResult,
  resolveInImage,
} from './image-tree.js';
import { readLayer } from './layer-reader.js';
import { type SelectedEntry, selectSubtree } from './subtree-select.js';

export interface LayerBlob {
  /** Names the layer in errors (its digest). */
  label: string;
  mediaType: string;
  open(): Promise<Readable>;
}

export interface SubtreeRequest {
  /** Absolute path in the image. */
  add: string;
  filter: PathFilter;
}

export type SubtreeResult =
  | { add: string; found: true; resolvedAdd: string; entries: SelectedEntry[] }
  | { add: string; found: false; missingPath: string; reason: string };

export interface StoredContent {
  md5: string;
  /** The spilled bytes, when the store keeps them, with the mode and mtime already set on the file. */
  file?: string;
  mode?: number;
  mtime?: number;
}

/** The bytes (or just MD5s) of the files read from layers, keyed by layer entry. */
export class ContentStore {
  private readonly items = new Map<string, StoredContent>();
  /** Placements still to come per spilled entry (see reserve/place). */
  private readonly uses = new Map<string, number>();
  private counter = 0;

  /** `spillDir` undefined: hash only, keep nothing. */
  constructor(readonly spillDir?: string) {}

  static key(ref: ContentRef): string {
    return `${ref.layer}\u0000${ref.name}`;
  }

  has(ref: ContentRef): boolean {
    return this.items.has(ContentStore.key(ref));
  }

  get(ref: ContentRef): StoredContent {
    const item = this.items.get(ContentStore.key(ref));
    if (!item) throw new Error(`internal: content of layer ${ref.layer} entry /${ref.name} was not read`);
    return item;
  }

  /**
   * Hashes (and spills) one entry's bytes. Writes are synchronous on purpose:
   * a layer holds many small files, and a round trip through the thread
   * pool per open/write/close costs more than the write itself. Mode and
   * mtime are set through the open descriptor, so placing the file later is
   * one link or rename with no path-based chmod/utimes.
   */
  async put(
    ref: ContentRef,
    body: AsyncIterable<Buffer>,
    attrs?: { mode: number; mtime: number },
  ): Promise<void> {
    const hash = createHash('md5');
    if (!this.spillDir) {
      for await (const chunk of body) hash.update(chunk);
      this.items.set(ContentStore.key(ref), { md5: hash.digest('hex') });
      return;
    }
    const file = join(this.spillDir, String(this.counter++));
    const fd = openSync(file, 'w');
    try {
      for await (const chunk of body) {
        hash.update(chunk);
        writeSync(fd, chunk);
      }
      if (attrs) {
        fchmodSync(fd, attrs.mode);
        futimesSync(fd, attrs.mtime, attrs.mtime);
      }
    } finally {
      closeSync(fd);
    }
    this.items.set(ContentStore.key(ref), { md5: hash.digest('hex'), file, ...(attrs ?? {}) });
  }

  /** Announces one more placement of an entry's bytes; the last one may take the spill file itself. */
  reserve(ref: ContentRef): void {
    const key = ContentStore.key(ref);
    this.uses.set(key, (this.uses.get(key) ?? 0) + 1);
  }

  /**
   * Puts the spilled bytes at `target`: a hard link, or a rename for the last
   * reserved placement (one directory operation fewer, nothing left to
   * delete). Copies across file systems.
   */
  place(ref: ContentRef, target: string): StoredContent {
    const item = this.get(ref);
    if (!item.file) throw new Error(`internal: bytes of /${ref.name} were hashed but not kept`);
    const key = ContentStore.key(ref);
    const left = this.uses.get(key) ?? 0;
    this.uses.set(key, left - 1);
    try {
      if (left === 1) renameSync(item.file, target);
      else linkSync(item.file, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      copyFileSync(item.file, target);
    }
    return item;
  }
}

function underAny(prefixes: string[], path: string): boolean {
  return prefixes.some((p) => p === '' || path === p || path.startsWith(`${p}/`));
}

/** Streams every layer once, keeping content under `prefixes`, and returns the final tree. */
async function scanLayers(layers: LayerBlob[], prefixes: string[], store: ContentStore): Promise<DirNode> {
  const root = newDir();
  for (const [index, layer] of layers.entries()) {
    const changes = await readLayer(await layer.open(), index, {
      label: layer.label,
      mediaType: layer.mediaType,
      wantContent: (path) => underAny(prefixes, path),
      onContent: (path, body, file) => store.put({ layer: index, name: path }, body, file),
    });
    applyLayer(root, changes, `layer ${layer.label}`);
  }
  return root;
}

/** Reads exactly the given layer entries' bytes (the targeted second pass). */
async function fetchContent(layers: LayerBlob[], refs: ContentRef[], store: ContentStore): Promise<void> {
  const byLayer = new Map<number, Set<string>>();
  for (const ref of refs) {
    if (!byLayer.has(ref.layer)) byLayer.set(ref.layer, new Set());
    byLayer.get(ref.layer)?.add(ref.name);
  }
  for (const [index, names] of [...byLayer].sort((a, b) => a[0] - b[0])) {
    const layer = layers[index] as LayerBlob;
    await readLayer(await layer.open(), index, {
      label: layer.label,
      mediaType: layer.mediaType,
      wantContent: (path) => names.has(path) && !store.has({ layer: index, name: path }),
      onContent: (path, body, file) => store.put({ layer: index, name: path }, body, file),
    });
  }
}

/**
 * Selects the files of each request from the image the layers make up.
 * Returns the selections and the store holding their bytes (or MD5s).
 */
export async function readSubtrees(
  layers: LayerBlob[],
  requests: SubtreeRequest[],
  spillDir?: string,
): Promise<{ results: SubtreeResult[]; store: ContentStore }> {
  if (spillDir) await mkdir(spillDir, { recursive: true });
  const store = new ContentStore(spillDir);
  const prefixes = requests.map((r) => r.add.split('/').filter(Boolean).join('/'));
  const root = await scanLayers(layers, prefixes, store);
  const results: SubtreeResult[] = requests.map((r) => {
    const resolved: ResolveResult = resolveInImage(root, r.add);
    if (!resolved.found)
      return { add: r.add, found: false, missingPath: resolved.path, reason: resolved.reason };
    return {
      add: r.add,
      found: true,
      resolvedAdd: resolved.path,
      entries: selectSubtree(resolved.node, r.filter),
    };
  });
  const missing = results
    .flatMap((r) => (r.found ? r.entries : []))
    .flatMap((e) => (e.node.type === 'file' && !store.has(e.node.content) ? [e.node.content] : []));
  if (missing.length > 0) await fetchContent(layers, missing, store);
  return { results, store };
}
