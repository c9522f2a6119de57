// Streams one layer blob: picks the decompressor (media type, confirmed by
// magic bytes), parses the tar with tar-stream, and turns entries into
// LayerChanges (whiteouts and opaque markers separated out). The bytes of
// regular files the caller wants are handed to a sink; all others are drained.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import type { LayerChanges, LeafNode, NodeAttrs } from './image-tree.js';

export class LayerFormatError extends Error {
  constructor(
    readonly layer: string,
    message: string,
  ) {
    super(`layer ${layer}: ${message}`);
    this.name = 'LayerFormatError';
  }
}

export interface LayerReadOptions {
  /** Names the layer in errors, e.g. its digest. */
  label: string;
  mediaType: string;
  /** Whether the bytes of the regular file at this normalised path are needed. */
  wantContent(path: string): boolean;
  /** Receives wanted file bytes and the file's attributes; must consume the stream fully. */
  onContent(
    path: string,
    body: AsyncIterable<Buffer>,
    file: { size: number; mode: number; mtime: number },
  ): Promise<void>;
  /** Refuse layers with more entries than this (decompression bombs). */
  maxEntries?: number;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** `./a/b/` -> `a/b`; rejects `..` so no entry can name a path outside the image root. */
export function normaliseEntryName(name: string, label: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new LayerFormatError(label, `entry ${JSON.stringify(name)} contains ".."`);
  return parts.join('/');
}

type Compression = 'gzip' | 'zstd' | 'none';

function sniff(head: Buffer): Compression | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'none';
  return undefined;
}

function declared(mediaType: string): Compression {
  if (mediaType.endsWith('+zstd') || mediaType.endsWith('.zstd')) return 'zstd';
  if (mediaType.endsWith('gzip')) return 'gzip';
  return 'none';
}

/** Reads the first bytes without losing them: returns them and a stream that replays them. */
async function peek(source: Readable, want: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < want) {
    const next = await it.next();
    if (next.done) break;
    chunks.push(next.value);
    have += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, rest: replay() };
}

function attrsOf(h: Header): NodeAttrs {
  return {
    mode: (h.mode ?? 0o644) & 0o7777,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    mtime: h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0,
  };
}

export async function readLayer(
  source: Readable,
  layerIndex: number,
  options: LayerReadOptions,
): Promise<LayerChanges> {
  const { label } = options;
  const { head, rest } = await peek(source, 262);
  const compression = sniff(head) ?? declared(options.mediaType);
  if (head.length === 0) return { entries: [], whiteouts: [], opaques: [] };
  if (compression === 'zstd') {
    throw new LayerFormatError(
      label,
      'zstd-compressed layers are not supported (UnsupportedLayerCompression)',
    );
  }
  const tar = extract();
  const done =
    compression === 'gzip'
      ? pipeline(rest, createGunzip({ chunkSize: 256 * 1024 }), tar)
      : pipeline(rest, tar);
  // Surface stream errors through the entry loop below instead of as unhandled rejections.
  done.catch((e: unknown) => tar.destroy(e as Error));
  const changes: LayerChanges = { entries: [], whiteouts: [], opaques: [] };
  const maxEntries = options.maxEntries ?? 2_000_000;
  let count = 0;
  try {
    for await (const entry of tar) {
      const h = entry.header;
      if (++count > maxEntries) throw new LayerFormatError(label, `more than ${maxEntries} entries`);
      const path = normaliseEntryName(h.name, label);
      const slash = path.lastIndexOf('/');
      const base = path.slice(slash + 1);
      const dir = slash < 0 ? '' : path.slice(0, slash);
      if (base.startsWith(WHITEOUT)) {
        if (base === OPAQUE) changes.opaques.push(dir);
        else if (!base.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
          // `.wh..wh.*` other than the opaque marker are AUFS bookkeeping: ignored.
          changes.whiteouts.push(
            dir === '' ? base.slice(WHITEOUT.length) : `${dir}/${base.slice(WHITEOUT.length)}`,
          );
        }
        entry.resume();
        continue;
      }
      const attrs = attrsOf(h);
      let leaf: LeafNode | undefined;
      switch (h.type) {
        case 'directory':
          changes.entries.push({ path, kind: 'directory', attrs });
          break;
        case 'file':
        case 'contiguous-file':
          leaf = { type: 'file', size: h.size ?? 0, content: { layer: layerIndex, name: path }, ...attrs };
          break;
        case 'symlink':
          leaf = { type: 'symlink', target: h.linkname ?? '', ...attrs };
          break;
        case 'link':
          changes.entries.push({
            path,
            kind: 'hardlink',
            target: normaliseEntryName(h.linkname ?? '', label),
          });
          break;
        case 'character-device':
        case 'block-device':
        case 'fifo':
          leaf = { type: h.type, devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0, ...attrs };
          break;
        default:
          throw new LayerFormatError(label, `entry /${path} has unsupported tar type "${String(h.type)}"`);
      }
      if (leaf) changes.entries.push({ path, kind: 'leaf', node: leaf });
      if (leaf?.type === 'file' && options.wantContent(path)) {
        await options.onContent(path, entry as AsyncIterable<Buffer>, leaf);
      } else {
        entry.resume();
      }
    }
    await done;
  } catch (e) {
    source.destroy();
    if (e instanceof LayerFormatError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new LayerFormatError(label, `cannot read (${compression}): ${msg}`);
  }
  return changes;
}
